import * as z from "zod";
import { BlockTags, PK, regionFromAvailabilityZone, StoredReservationId, type Block } from "./block";
import { CapacityReservationId } from "./ec2-view";
import { PurchaseInFlightError, ValidationError, VersionConflictError, type FieldIssue } from "./errors";
import { isOnLadder } from "./ladder";
import { compareMoney, isDecimalString } from "./money";
import { CURRENCY_PATTERN, ExtensionPolicy, MAX_LOOKAHEAD_HOURS, MIN_SAFE_LOOKAHEAD_HOURS } from "./policy";
import { canonicalIso, toMs } from "./time";
import { isEndAt1130Utc } from "./window";
import { isSafeText } from "./safe-text";

const MONEY_MESSAGE = 'must be a decimal string such as "1234.50" (no sign, no exponent, at most 6 decimals)';
const InputMoney = z.string({ error: MONEY_MESSAGE }).refine(isDecimalString, { message: MONEY_MESSAGE });
const InputDate = z.iso.datetime({ offset: true, error: "must be an ISO-8601 date-time such as 2025-06-04T11:30:00Z" });
const InputDays = z
  .number({ error: "must be a number of days" })
  .refine(isOnLadder, { message: "must be on EC2's ladder: 1–14 days, or a multiple of 7 from 21 to 182" });
const InputLookaheadHours = z
  .number({ error: "must be a number of hours" })
  .int({ message: "must be a whole number of hours" })
  .min(2, { message: "must be at least 2 hours" })
  .max(MAX_LOOKAHEAD_HOURS, { message: `must be at most ${MAX_LOOKAHEAD_HOURS} hours (56 days, when EC2 starts selling)` });
const InputLookaheadDays = z
  .number({ error: "must be a number of days" })
  .refine((d) => Number.isInteger(d * 24) && d * 24 >= 2 && d * 24 <= MAX_LOOKAHEAD_HOURS, {
    message: "must be whole hours between 2 hours and 56 days (e.g. 2 or 0.5)",
  });
const InputRegion = z.string().regex(/^[a-z]{2}(?:-gov)?-[a-z]+-\d+$/, { message: "must be an AWS region such as us-east-1" });
const InputAvailabilityZone = z
  .string()
  .regex(/^[a-z]{2}(?:-gov)?-[a-z]+-\d+[a-z0-9-]*$/, { message: "must be an availability zone such as us-east-1a" });
const InputCurrency = z.string().regex(CURRENCY_PATTERN, { message: "must be an ISO 4217 code such as USD" });
/** Free text a person types (names, comments): printable only. */
export const SafeText = z
  .string()
  .refine(isSafeText, { message: "must not contain control characters, bidi overrides or lone surrogates" });

const InputText = z
  .string()
  .min(1)
  .max(200)
  .refine(isSafeText, { message: "must not contain control characters, bidi overrides or lone surrogates" });
/**
 * The approval status: the first release's `approval` and the README's `approved`. On update `true` approves the
 * current window as PATCH does and `false` withdraws an approval not yet used; it never changes `requireApproval`.
 */
const ApprovalFlag = z.boolean({ error: "must be true (approve the current window) or false (withdraw an unused approval)" });

/** The first release's `status` values (and what its README and scripts send): ignored with a warning. */
const FIRST_RELEASE_STATUSES: ReadonlySet<string> = new Set([
  "NO_ACTION_REQUIRED",
  "EXTENSION_APPROVAL_REQUIRED",
  "EXTENDED",
  "ERROR",
  "ACTIVE",
  "PENDING",
]);

/** Fields that CBM maintains; a client that sends them gets a "read-only" error rather than "unknown". */
export const READ_ONLY_FIELDS: ReadonlySet<string> = new Set([
  "createdAt",
  "updatedAt",
  "status",
  "statusReason",
  "lastError",
  "spent",
  "extensionsPurchased",
  "nextCheckAt",
  "failures",
  "intent",
  "pendingExtension",
  "lastPurchaseWindow",
  "approvalRequest",
  "denial",
  "registrationId",
]);

const policyShape = {
  extendByDays: InputDays.optional(),
  lookaheadHours: InputLookaheadHours.optional(),
  lookaheadDays: InputLookaheadDays.optional(),
  requireApproval: z.boolean().optional(),
  maxUpfrontFee: InputMoney.optional(),
  budget: InputMoney.optional(),
  extendUntil: InputDate.optional(),
  maxExtensions: z.number().int().min(0).optional(),
  enabled: z.boolean().optional(),
  allowShorterFallback: z.boolean().optional(),
  openSuccessorRequest: z.boolean().optional(),
  skipExtensionWhenIdleHours: z
    .number()
    .int()
    .min(1)
    .max(56 * 24)
    .optional(),
  currency: InputCurrency.optional(),
  requireJustification: z.boolean().optional(),
};

// On update, null clears an optional limit (no cap, no budget …); on create, absence already means that.
const clearablePolicyShape = {
  ...policyShape,
  maxUpfrontFee: InputMoney.nullable().optional(),
  budget: InputMoney.nullable().optional(),
  extendUntil: InputDate.nullable().optional(),
  maxExtensions: z.number().int().min(0).nullable().optional(),
  skipExtensionWhenIdleHours: z
    .number()
    .int()
    .min(1)
    .max(56 * 24)
    .nullable()
    .optional(),
};

const blockShape = {
  PK: PK.optional(),
  capacityReservationId: StoredReservationId.optional(),
  name: InputText.optional(),
  instanceType: InputText.optional(),
  availabilityZone: InputAvailabilityZone.optional(),
  region: InputRegion.optional(),
  platform: InputText.optional(),
  tenancy: InputText.optional(),
  startDate: InputDate.optional(),
  endDate: InputDate.optional(),
  instanceCount: z.number().int().min(1).max(64).optional(),
  tags: BlockTags.optional(),
  approved: ApprovalFlag.optional(),
  // The first CBM release's field names, kept so existing scripts keep working.
  capacity_block_id: StoredReservationId.optional(),
  end_time: InputDate.optional(),
  extend_by_days: InputDays.optional(),
  extension_lookahead_days: InputLookaheadDays.optional(),
  require_approval: z.boolean().optional(),
  approval: ApprovalFlag.optional(),
  instance_type: InputText.optional(),
  /** The first release's free-text error, which its PATCH cleared; ignored. */
  error: z.unknown().optional(),
};

/** Body of POST /: the original data model in camelCase, policy nested or flat, and the first release's names. */
export const CreateBlockInput = z.strictObject({ ...blockShape, ...policyShape, policy: z.strictObject(policyShape).optional() });
export type CreateBlockInput = z.infer<typeof CreateBlockInput>;

/** Body of PUT /{PK}: any subset of the create fields (null clears an optional limit) plus `version` for concurrency. */
export const UpdateBlockInput = z.strictObject({
  ...blockShape,
  ...clearablePolicyShape,
  name: InputText.nullable().optional(),
  // null removes every tag; an object replaces them.
  tags: BlockTags.nullable().optional(),
  policy: z.strictObject(clearablePolicyShape).optional(),
  version: z.number().int().min(1).optional(),
});
export type UpdateBlockInput = z.infer<typeof UpdateBlockInput>;

/** First-release names and the canonical field each stands for. */
export const FIELD_ALIASES: Readonly<Record<string, string>> = {
  capacity_block_id: "capacityReservationId",
  end_time: "endDate",
  extend_by_days: "extendByDays",
  extension_lookahead_days: "lookaheadHours",
  require_approval: "requireApproval",
  instance_type: "instanceType",
};

/** Converts a zod error into field issues named by the path the client sent; unknown keys get one issue each. */
export function fieldIssuesFromZod(error: z.ZodError): FieldIssue[] {
  const out: FieldIssue[] = [];
  for (const issue of error.issues) {
    const base = issue.path.map(String).join(".");
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) {
        const field = base ? `${base}.${key}` : key;
        out.push(
          READ_ONLY_FIELDS.has(key)
            ? { field, message: "is read-only: CBM maintains it", code: "read_only" }
            : { field, message: "is not a known field", code: "unknown_field" },
        );
      }
    } else {
      out.push({ field: base, message: issue.message, code: issue.code });
    }
  }
  return out;
}

interface Picked<T> {
  value: T;
  /** The field name the client used, for error messages. */
  field: string;
}

type Input = CreateBlockInput | UpdateBlockInput;
type Src = { field: string; value: unknown };

/** Canonical values after merging flat, nested and first-release names; conflicts become issues. */
interface Normalized {
  capacityReservationId?: Picked<string>;
  endDate?: Picked<string>;
  instanceType?: Picked<string>;
  policy: Partial<Record<keyof ExtensionPolicy, Picked<unknown>>>;
  aliasesUsed: string[];
}

function sameValue(a: unknown, b: unknown): boolean {
  if (typeof a === "string" && typeof b === "string") {
    if (isDecimalString(a) && isDecimalString(b)) return compareMoney(a, b) === 0;
    const ta = Date.parse(a);
    const tb = Date.parse(b);
    if (!Number.isNaN(ta) && !Number.isNaN(tb) && /T/.test(a) && /T/.test(b)) return ta === tb;
  }
  return a === b;
}

function pick(sources: Src[], issues: FieldIssue[]): Picked<unknown> | undefined {
  const given = sources.filter((s) => s.value !== undefined);
  const first = given[0];
  if (!first) return undefined;
  for (const other of given.slice(1)) {
    if (!sameValue(first.value, other.value)) {
      issues.push({ field: other.field, message: `conflicts with ${first.field}: give one of them, or the same value`, code: "conflict" });
    }
  }
  return { value: first.value, field: first.field };
}

const times24 = (d: number | undefined) => (d === undefined ? undefined : Math.round(d * 24));

function normalize(input: Input, issues: FieldIssue[]): Normalized {
  const p = input.policy ?? {};
  const aliasesUsed = Object.keys(FIELD_ALIASES).filter((k) => (input as Record<string, unknown>)[k] !== undefined);
  const policy: Normalized["policy"] = {};
  const set = (key: keyof ExtensionPolicy, sources: Src[]) => {
    const v = pick(sources, issues);
    if (v) policy[key] = v;
  };
  set("extendByDays", [
    { field: "extendByDays", value: input.extendByDays },
    { field: "extend_by_days", value: input.extend_by_days },
    { field: "policy.extendByDays", value: p.extendByDays },
  ]);
  set("lookaheadHours", [
    { field: "lookaheadHours", value: input.lookaheadHours },
    { field: "lookaheadDays", value: times24(input.lookaheadDays) },
    { field: "extension_lookahead_days", value: times24(input.extension_lookahead_days) },
    { field: "policy.lookaheadHours", value: p.lookaheadHours },
    { field: "policy.lookaheadDays", value: times24(p.lookaheadDays) },
  ]);
  set("requireApproval", [
    { field: "requireApproval", value: input.requireApproval },
    { field: "require_approval", value: input.require_approval },
    { field: "policy.requireApproval", value: p.requireApproval },
  ]);
  for (const key of [
    "maxUpfrontFee",
    "budget",
    "extendUntil",
    "maxExtensions",
    "enabled",
    "allowShorterFallback",
    "openSuccessorRequest",
    "skipExtensionWhenIdleHours",
    "currency",
    "requireJustification",
  ] as const) {
    set(key, [
      { field: key, value: input[key] },
      { field: `policy.${key}`, value: p[key] },
    ]);
  }
  const str = (v: Picked<unknown> | undefined) => v as Picked<string> | undefined;
  return {
    capacityReservationId: str(
      pick(
        [
          { field: "capacityReservationId", value: input.capacityReservationId },
          { field: "capacity_block_id", value: input.capacity_block_id },
        ],
        issues,
      ),
    ),
    endDate: str(
      pick(
        [
          { field: "endDate", value: input.endDate },
          { field: "end_time", value: input.end_time },
        ],
        issues,
      ),
    ),
    instanceType: str(
      pick(
        [
          { field: "instanceType", value: input.instanceType },
          { field: "instance_type", value: input.instance_type },
        ],
        issues,
      ),
    ),
    policy,
    aliasesUsed,
  };
}

/** Resolves the region from an explicit value or the availability zone, and checks that the two agree. */
function resolveRegion(region: string | undefined, az: string | undefined, issues: FieldIssue[]): string | undefined {
  const derived = az === undefined ? undefined : regionFromAvailabilityZone(az);
  if (az !== undefined && derived === undefined) {
    issues.push({ field: "availabilityZone", message: `cannot derive a region from '${az}'`, code: "invalid_value" });
    return region;
  }
  if (region !== undefined && derived !== undefined && derived !== region) {
    issues.push({ field: "availabilityZone", message: `'${az}' is not in region '${region}'`, code: "conflict" });
  }
  return region ?? derived;
}

/** Drops keys whose value is undefined (the store omits them; DynamoDB rejects undefined). */
function compact<T extends Record<string, unknown>>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/** Human-readable warnings about an effective policy that is valid but probably not what the owner wants. */
export function policyWarnings(policy: ExtensionPolicy, opts: { now: string; endDate?: string }): string[] {
  const w: string[] = [];
  if (policy.lookaheadHours < MIN_SAFE_LOOKAHEAD_HOURS) {
    w.push(
      `lookaheadHours ${policy.lookaheadHours} is under ${MIN_SAFE_LOOKAHEAD_HOURS}: EC2 takes up to 12 h to clear an extension's payment and it must clear 35 min before the end, so a purchase this late may fail and the block would end anyway`,
    );
  }
  if (policy.extendUntil !== undefined) {
    if (toMs(policy.extendUntil) <= toMs(opts.now)) w.push("extendUntil is in the past: CBM will not extend this block");
    else if (opts.endDate !== undefined && toMs(policy.extendUntil) <= toMs(opts.endDate))
      w.push("extendUntil is not after the current end date: CBM will not extend this block");
  }
  if (policy.maxUpfrontFee !== undefined && policy.budget !== undefined && compareMoney(policy.maxUpfrontFee, policy.budget) > 0) {
    w.push("maxUpfrontFee is above budget: the budget caps every purchase first");
  }
  if (policy.budget !== undefined && compareMoney(policy.budget, "0") === 0) w.push("budget is 0: CBM will not buy any extension");
  if (policy.maxExtensions === 0) w.push("maxExtensions is 0: CBM will not extend this block");
  if (!policy.enabled) w.push("the policy is paused (enabled: false): CBM watches the block but neither buys nor asks for approval");
  return w;
}

function endDateWarnings(endDate: string | undefined, now: string): string[] {
  if (endDate === undefined) return [];
  const w: string[] = [];
  if (!isEndAt1130Utc(endDate))
    w.push("endDate is not 11:30 UTC, when every Capacity Block ends; EC2's end date replaces it at the first check");
  else w.push("endDate is only a hint: EC2's end date replaces it at the first check");
  if (toMs(endDate) <= toMs(now)) w.push("endDate is in the past");
  return w;
}

function aliasWarning(used: string[]): string[] {
  if (used.length === 0) return [];
  return [`first-release field names still work but are deprecated: ${used.map((a) => `${a} → ${FIELD_ALIASES[a]}`).join(", ")}`];
}

function parseOrThrow<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new ValidationError(fieldIssuesFromZod(parsed.error));
  return parsed.data;
}

/** Builds the effective policy from picked values on top of `base` (null clears a limit); issues name the sent field. */
function buildPolicy(base: Partial<ExtensionPolicy>, picked: Normalized["policy"]): ExtensionPolicy {
  const merged: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(picked)) {
    if (v.value === null) delete merged[k];
    else merged[k] = k === "extendUntil" ? canonicalIso(v.value as string) : v.value;
  }
  // Every field was validated on input, so this only applies defaults; a failure is a broken invariant.
  return ExtensionPolicy.parse(merged);
}

/**
 * Validates a POST body and builds the full stored record: status `registered`, version 1, nothing spent, the
 * effective policy with defaults, region derived from the availability zone, and due immediately.
 * Throws ValidationError naming each field as the client sent it.
 */
export function parseCreateBlock(body: unknown, ctx: { now: string; defaultRegion?: string }): { block: Block; warnings: string[] } {
  const { body: rest, warnings: statusWarnings } = dropIgnoredStatus(body, true);
  const input = parseOrThrow(CreateBlockInput, rest);
  const issues: FieldIssue[] = [];
  const n = normalize(input, issues);
  const approvalFlag = pickApprovalFlag(input, issues);
  if (!n.capacityReservationId) issues.push({ field: "capacityReservationId", message: "is required", code: "required" });
  let region = resolveRegion(input.region, input.availabilityZone, issues);
  const regionWarnings: string[] = [];
  if (region === undefined && input.availabilityZone === undefined) {
    // The first release's extender worked in its own region; scripts written for it may leave the region out.
    if (ctx.defaultRegion !== undefined) {
      region = ctx.defaultRegion;
      regionWarnings.push(`region not given: using ${ctx.defaultRegion}, the region CBM runs in`);
    } else {
      issues.push({ field: "region", message: "is required when availabilityZone is not given", code: "required" });
    }
  }
  const endDate = n.endDate ? canonicalIso(n.endDate.value) : undefined;
  const startDate = input.startDate === undefined ? undefined : canonicalIso(input.startDate);
  if (startDate !== undefined && endDate !== undefined && toMs(endDate) <= toMs(startDate)) {
    issues.push({ field: n.endDate!.field, message: "must be after startDate", code: "invalid_value" });
  }
  if (issues.length > 0) throw new ValidationError(issues);

  const now = canonicalIso(ctx.now);
  const policy = buildPolicy({}, n.policy);
  const cr = n.capacityReservationId!.value;
  const block: Block = compact({
    PK: input.PK ?? cr,
    name: input.name,
    capacityReservationId: cr,
    instanceType: n.instanceType?.value,
    availabilityZone: input.availabilityZone,
    region: region!,
    platform: input.platform,
    tenancy: input.tenancy,
    startDate,
    endDate,
    instanceCount: input.instanceCount,
    tags: input.tags,
    approved: false,
    createdAt: now,
    updatedAt: now,
    status: "registered" as const,
    statusReason: "registered; not yet checked against EC2",
    version: 1,
    policy,
    spent: "0",
    extensionsPurchased: 0,
    nextCheckAt: now,
    failures: 0,
  });
  const warnings = [
    ...statusWarnings,
    ...regionWarnings,
    ...reservationIdWarnings(cr, n.capacityReservationId!.field),
    ...(approvalFlag?.value === true
      ? [`${approvalFlag.field}: true is ignored on create: approve with PATCH /{PK} once CBM has read the end date from EC2`]
      : []),
    ...policyWarnings(policy, { now, endDate }),
    ...endDateWarnings(endDate, now),
    ...aliasWarning(n.aliasesUsed),
  ];
  return { block, warnings };
}

function reservationIdWarnings(id: string, field: string): string[] {
  if (CapacityReservationId.safeParse(id).success) return [];
  return [
    `${field} ${JSON.stringify(id)} is not in EC2's format (cr- and 17 hex digits): EC2 will not know it, the block will report not-found and nothing is ever bought for it`,
  ];
}

/** `approval` (first release) and `approved` (README) are one flag; sending both with different values is a conflict. */
function pickApprovalFlag(
  input: { approval?: boolean | undefined; approved?: boolean | undefined },
  issues: FieldIssue[],
): Picked<boolean> | undefined {
  return pick(
    [
      { field: "approval", value: input.approval },
      { field: "approved", value: input.approved },
    ],
    issues,
  ) as Picked<boolean> | undefined;
}

/**
 * A status the first release wrote (or its scripts send, like `ACTIVE`) means nothing to CBM, which keeps its own:
 * it is dropped with a warning. On create any status is dropped; on update other values go to the read-only check.
 */
function dropIgnoredStatus(body: unknown, ignoreAny: boolean): { body: unknown; warnings: string[] } {
  if (!isPlainObject(body) || !("status" in body)) return { body, warnings: [] };
  const status = body.status;
  const known = typeof status === "string" && FIRST_RELEASE_STATUSES.has(status);
  if (!known && !ignoreAny) return { body, warnings: [] };
  const { status: _dropped, ...rest } = body;
  return { body: rest, warnings: [`status ${JSON.stringify(status)} is ignored: CBM sets a block's status itself`] };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Deep equality of JSON values, where a missing member, undefined and null all mean "none". */
function sameJson(a: unknown, b: unknown): boolean {
  const canon = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(canon);
    if (!isPlainObject(v)) return v;
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) if (v[k] !== undefined && v[k] !== null) out[k] = canon(v[k]);
    return out;
  };
  return JSON.stringify(canon(a ?? null)) === JSON.stringify(canon(b ?? null));
}

/**
 * A whole record read back and PUT again carries CBM's own fields: those sent with their stored values are dropped
 * (accepted and ignored); one sent with another value is a real attempt to change it and is refused as read-only,
 * or, when the body's `version` is older than the stored one, reported as the version conflict it is.
 */
function dropEchoedReadOnly(block: Block, body: unknown): { body: unknown; warnings: string[] } {
  const { body: withoutStatus, warnings } = dropIgnoredStatus(body, false);
  if (!isPlainObject(withoutStatus)) return { body: withoutStatus, warnings };
  const rest: Record<string, unknown> = { ...withoutStatus };
  const stored = block as unknown as Record<string, unknown>;
  const changed: string[] = [];
  for (const key of Object.keys(rest)) {
    // `approval` is the stored verdict when it is an object or null, the first release's flag when it is a boolean.
    const readOnly = READ_ONLY_FIELDS.has(key) || (key === "approval" && typeof rest[key] !== "boolean");
    if (!readOnly) continue;
    if (sameJson(rest[key], stored[key])) delete rest[key];
    else changed.push(key);
  }
  if (changed.length > 0) {
    if (typeof rest.version === "number" && rest.version !== block.version) throw new VersionConflictError(block.PK, rest.version);
    throw new ValidationError(changed.map((field) => ({ field, message: "is read-only: CBM maintains it", code: "read_only" })));
  }
  return { body: rest, warnings };
}

/**
 * Applies a PUT body to a stored block and returns the new record (same version: the store bumps it) due now, so
 * the scheduler re-evaluates at once. PK and capacityReservationId never change; a denial is kept; `approved: false`
 * withdraws a held approval. `expectedVersion` is the client's `version`, for optimistic concurrency.
 */
export function applyBlockUpdate(
  block: Block,
  body: unknown,
  ctx: { now: string },
): { block: Block; warnings: string[]; expectedVersion?: number; verdict?: ApprovalCommand } {
  const { body: rest, warnings: echoWarnings } = dropEchoedReadOnly(block, body);
  const input = parseOrThrow(UpdateBlockInput, rest);
  const issues: FieldIssue[] = [];
  const n = normalize(input, issues);
  const flag = pickApprovalFlag(input, issues);
  if (input.PK !== undefined && input.PK !== block.PK) {
    issues.push({ field: "PK", message: `cannot change (the block is '${block.PK}')`, code: "immutable" });
  }
  if (n.capacityReservationId && n.capacityReservationId.value !== block.capacityReservationId) {
    issues.push({
      field: n.capacityReservationId.field,
      message: `cannot change (the block manages ${block.capacityReservationId}); register the other reservation as a new block`,
      code: "immutable",
    });
  }
  const az = input.availabilityZone ?? block.availabilityZone;
  // An explicit region wins; a new zone without one moves the region with it.
  const region =
    resolveRegion(input.region ?? (input.availabilityZone !== undefined ? undefined : block.region), az, issues) ?? block.region;
  const endDate = n.endDate ? canonicalIso(n.endDate.value) : block.endDate;
  const startDate = input.startDate === undefined ? block.startDate : canonicalIso(input.startDate);
  if (startDate !== undefined && endDate !== undefined && toMs(endDate) <= toMs(startDate)) {
    issues.push({
      field: n.endDate?.field ?? "startDate",
      message: n.endDate ? "must be after startDate" : "must be before endDate",
      code: "invalid_value",
    });
  }
  if (issues.length > 0) throw new ValidationError(issues);
  // Moving a block to another region while a purchase is in flight would lose track of the money.
  if (region !== block.region && (block.intent || block.pendingExtension)) throw new PurchaseInFlightError(block.PK);

  const now = canonicalIso(ctx.now);
  const policy = buildPolicy(block.policy, n.policy);
  // `spent` is counted in the policy's currency: switching currency would read 900 USD as 900 EUR against the budget.
  if (policy.currency !== block.policy.currency && (compareMoney(block.spent, "0") > 0 || block.pendingExtension || block.intent)) {
    throw new ValidationError([
      {
        field: n.policy.currency?.field ?? "currency",
        message: `cannot change while ${block.spent} ${block.policy.currency} is counted as spent: reset the spend first (POST /{PK}/reset-spend)`,
        code: "conflict",
      },
    ]);
  }
  const warnings: string[] = [...echoWarnings];
  // `approved` read back unchanged is an echo; the first release's `approval` flag is always an act.
  const verdict: ApprovalCommand | undefined =
    flag === undefined || (flag.field === "approved" && flag.value === block.approved) ? undefined : flag.value ? "approve" : "withdraw";
  const name: string | undefined = input.name === null ? undefined : (input.name ?? block.name);
  const next: Block = compact({
    ...block,
    name,
    instanceType: n.instanceType?.value ?? block.instanceType,
    availabilityZone: az,
    region,
    platform: input.platform ?? block.platform,
    tenancy: input.tenancy ?? block.tenancy,
    startDate,
    endDate,
    instanceCount: input.instanceCount ?? block.instanceCount,
    tags: input.tags === null ? undefined : (input.tags ?? block.tags),
    policy,
    updatedAt: now,
    // Due now, so the new policy takes effect on the next tick; the failure backoff starts over.
    nextCheckAt: now,
    failures: 0,
  });
  warnings.push(...policyWarnings(policy, { now, endDate }), ...aliasWarning(n.aliasesUsed));
  if (n.endDate) warnings.push("endDate is only a hint: EC2's end date replaces it at the next check");
  return {
    block: next,
    warnings,
    ...(input.version !== undefined ? { expectedVersion: input.version } : {}),
    ...(verdict ? { verdict } : {}),
  };
}

/** What an update's approval flag asks for: approve the current window (as PATCH), or withdraw an unused approval. */
export type ApprovalCommand = "approve" | "withdraw";
