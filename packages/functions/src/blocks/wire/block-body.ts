import * as z from "zod";
import {
  BlockTags,
  ExtensionPolicy,
  IsoDateTime,
  SafeText,
  StoredReservationId,
  type ApprovalFlag,
  type CreateBlockCommand,
  type PolicyChanges,
  type UpdateBlockCommand,
} from "@cbm/core";
import { AddressablePk } from "../../platform/http/reserved-keys";
import { aliasShape, alwaysActs, deprecationNotices, sameValue, sourcesOf, type Sent } from "./aliases";
import { FIRST_RELEASE_STATUSES, ignoredStatusNotice, READ_ONLY_FIELDS, READINGS } from "./read-only";

/*
 * The JSON bodies of POST / and PUT /{PK}: the original data model in camelCase, policy nested or flat, and the
 * first release's names (aliases.ts). Each parses into core's typed command; the rules that need the stored block
 * or the clock (region, dates, echoes, currency) are core's.
 */

const InputText = SafeText.min(1).max(200);
const InputRegion = z.string().regex(/^[a-z]{2}(?:-gov)?-[a-z]+-\d+$/, { message: "must be an AWS region such as us-east-1" });
const InputAvailabilityZone = z
  .string()
  .regex(/^[a-z]{2}(?:-gov)?-[a-z]+-\d+[a-z0-9-]*$/, { message: "must be an availability zone such as us-east-1a" });
/** The approval status: true approves the current window as PATCH does, false withdraws an approval not yet used. */
const Approved = z.boolean({ error: "must be true (approve the current window) or false (withdraw an unused approval)" });

type Shape = Record<string, z.ZodType>;

/** The block's own fields; on update null clears the name and the tags. */
function blockFields(clearable: boolean): Shape {
  return {
    PK: AddressablePk.optional(),
    capacityReservationId: StoredReservationId.optional(),
    name: clearable ? InputText.nullable().optional() : InputText.optional(),
    instanceType: InputText.optional(),
    availabilityZone: InputAvailabilityZone.optional(),
    region: InputRegion.optional(),
    platform: InputText.optional(),
    tenancy: InputText.optional(),
    startDate: IsoDateTime.optional(),
    endDate: IsoDateTime.optional(),
    instanceCount: z.number().int().min(1).max(64).optional(),
    tags: clearable ? BlockTags.nullable().optional() : BlockTags.optional(),
    approved: Approved.optional(),
  };
}

/**
 * The policy's own schema, field by field, as input: without defaults (absent means "not sent", so a flat and a
 * nested value can be told apart), and on update nullable where the policy has no default (null clears a limit).
 */
function policyFields(clearable: boolean): Shape {
  const shape: Shape = {};
  for (const [key, field] of Object.entries(ExtensionPolicy.shape) as [string, z.ZodType][]) {
    const hasDefault = field instanceof z.ZodDefault;
    const bare = field instanceof z.ZodDefault || field instanceof z.ZodOptional ? (field.unwrap() as z.ZodType) : field;
    shape[key] = (clearable && !hasDefault ? bare.nullable() : bare).optional();
  }
  return shape;
}

const BLOCK_KEYS = Object.keys(blockFields(false));
const POLICY_KEYS = Object.keys(ExtensionPolicy.shape);

/** Every field of a body: canonical, aliases, the nested policy, and the first release's free-text `error` (ignored). */
function bodyShape(clearable: boolean): Shape {
  const policy = policyFields(clearable);
  const canonical = { ...blockFields(clearable), ...policy };
  return {
    ...canonical,
    ...aliasShape(canonical),
    policy: z.strictObject({ ...policy, ...aliasShape(policy, { nested: true }) }).optional(),
    error: z.unknown().optional(),
  };
}

/** CBM's own fields, refused on create with their own code rather than as unknown. */
const refusedReadOnly: Shape = Object.fromEntries(
  READ_ONLY_FIELDS.map((key) => [
    key,
    z
      .unknown()
      .superRefine((_value, ctx) =>
        ctx.addIssue({ code: "custom", message: "is read-only: CBM maintains it", params: { code: "read_only" } }),
      )
      .optional(),
  ]),
);

/** Body of POST / as documented: any subset of the fields (the reservation id under one of its names is required). */
export const CreateBlockFields = z.strictObject(bodyShape(false));

/** Body of PUT /{PK} as documented: any subset of the create fields (null clears an optional limit) plus `version`. */
export const UpdateBlockFields = z.strictObject({ ...bodyShape(true), version: z.number().int().min(1).optional() });

type Body = Record<string, unknown>;
type Ctx = z.RefinementCtx;

function conflict(ctx: Ctx, other: Sent, first: Sent): void {
  ctx.addIssue({
    code: "custom",
    path: other.field.split("."),
    message: `conflicts with ${first.field}: give one of them, or the same value`,
    params: { code: "conflict" },
  });
}

/** The first of the names a field was sent under; a later one with another value is a conflict. */
function pick(sources: Sent[], ctx: Ctx): Sent | undefined {
  const [first, ...others] = sources.filter((s) => s.value !== undefined);
  for (const other of others) if (first && !sameValue(first.value, other.value)) conflict(ctx, other, first);
  return first;
}

interface Normalized {
  /** Canonical block fields, flat. */
  fields: Body;
  /** Canonical policy fields, flat or nested. */
  policy: Body;
  /** The name each field was sent under, where it is not the canonical one. */
  spelledAs: Record<string, string>;
}

/** Merges flat, nested and aliased names into canonical fields; disagreeing names become conflict issues. */
function normalize(body: Body, ctx: Ctx): Normalized {
  const nested = (body.policy ?? {}) as Body;
  const out: Normalized = { fields: {}, policy: {}, spelledAs: {} };
  const take = (key: string, target: Body, sources: Sent[]) => {
    const sent = pick(sources, ctx);
    if (!sent) return;
    target[key] = sent.value;
    if (sent.field !== key) out.spelledAs[key] = sent.field;
  };
  for (const key of BLOCK_KEYS) take(key, out.fields, sourcesOf(key, body));
  for (const key of POLICY_KEYS) {
    take(key, out.policy, [...sourcesOf(key, body), ...sourcesOf(key, nested, { prefix: "policy.", nested: true })]);
  }
  return out;
}

function approvalFlag(n: Normalized): ApprovalFlag | undefined {
  const value = n.fields.approved;
  if (typeof value !== "boolean") return undefined;
  return { value, alwaysActs: alwaysActs(n.spelledAs.approved ?? "approved") };
}

/** The block's canonical fields after parsing: each value passed its field's schema, so it has the command's type. */
type BlockFieldValues = Omit<UpdateBlockCommand, "approval" | "policy" | "version" | "readOnly" | "spelledAs" | "notices">;

function toCreateCommand(body: Body, ctx: Ctx): CreateBlockCommand {
  const n = normalize(body, ctx);
  const { approved: _flag, ...fields } = n.fields as BlockFieldValues & { approved?: boolean };
  const { capacityReservationId } = fields;
  if (capacityReservationId === undefined) {
    ctx.addIssue({ code: "custom", path: ["capacityReservationId"], message: "is required", params: { code: "required" } });
    return z.NEVER;
  }
  const flag = approvalFlag(n);
  const notices = [
    // A status the first release wrote (or its scripts send, like `ACTIVE`) means nothing to CBM, which keeps its own.
    ...(body.status !== undefined ? [ignoredStatusNotice(body.status)] : []),
    ...(flag?.value === true
      ? [
          `${n.spelledAs.approved ?? "approved"}: true is ignored on create: approve with PATCH /{PK} once CBM has read the end date from EC2`,
        ]
      : []),
    ...deprecationNotices(body),
  ];
  return {
    ...fields,
    name: fields.name ?? undefined,
    tags: fields.tags ?? undefined,
    capacityReservationId,
    policy: n.policy as PolicyChanges,
    spelledAs: n.spelledAs,
    notices,
  };
}

/**
 * A whole record read back and PUT again carries CBM's own fields: they are kept aside for core to compare with the
 * stored record. A status the first release wrote is dropped with a warning; a stored verdict under `approval` (an
 * object or null, where the first release's flag is a boolean) is one of CBM's fields too.
 */
function toUpdateCommand(raw: Body, ctx: Ctx): UpdateBlockCommand {
  const body = { ...raw };
  const readOnly: Body = {};
  const notices: string[] = [];
  if (typeof body.status === "string" && FIRST_RELEASE_STATUSES.has(body.status)) {
    notices.push(ignoredStatusNotice(body.status));
    delete body.status;
  }
  for (const key of READINGS) delete body[key];
  for (const key of [...READ_ONLY_FIELDS, "approval"]) {
    if (body[key] === undefined || (key === "approval" && typeof body[key] === "boolean")) continue;
    readOnly[key] = body[key];
    delete body[key];
  }
  const n = normalize(body, ctx);
  const { approved: _flag, ...fields } = n.fields as BlockFieldValues & { approved?: boolean };
  const flag = approvalFlag(n);
  return {
    ...fields,
    ...(flag ? { approval: flag } : {}),
    ...(typeof body.version === "number" ? { version: body.version } : {}),
    policy: n.policy as PolicyChanges,
    readOnly,
    spelledAs: n.spelledAs,
    notices: [...notices, ...deprecationNotices(body)],
  };
}

const echoed: Shape = Object.fromEntries([...READ_ONLY_FIELDS, ...READINGS, "approval"].map((key) => [key, z.unknown().optional()]));

/** POST / parsed into the command core registers a block with. */
export const CreateBlockBody = CreateBlockFields.extend({ ...refusedReadOnly, status: z.unknown().optional() }).transform(toCreateCommand);

/** PUT /{PK} parsed into the command core applies to the stored block (CBM's own fields kept aside as echoes). */
export const UpdateBlockBody = UpdateBlockFields.extend(echoed).transform(toUpdateCommand);
