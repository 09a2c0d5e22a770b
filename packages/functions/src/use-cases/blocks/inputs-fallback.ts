/*
 * Temporary stand-in for @cbm/core's inputs.ts (parseCreateBlock / applyBlockUpdate / fieldIssuesFromZod), which
 * another change is adding with these same signatures. Swap the import in block-inputs.ts once it lands.
 */
import { z } from "zod";
import {
  Block,
  CapacityReservationId,
  ExtensionPolicy,
  IsoDateTime,
  MIN_SAFE_LOOKAHEAD_HOURS,
  PK,
  ValidationError,
  regionFromAvailabilityZone,
  type FieldIssue,
} from "@cbm/core";

export interface InputWarning {
  field: string;
  message: string;
  code: string;
}

export function fieldIssuesFromZod(err: z.ZodError): FieldIssue[] {
  return err.issues.map((i) => ({
    field: i.path.map(String).join("."),
    message: i.message,
    code: i.code === "unrecognized_keys" ? "unrecognized_keys" : i.code,
  })).flatMap((issue, n) => {
    const raw = err.issues[n]!;
    // Name each unknown field, so a client sees exactly which key to remove.
    if (raw.code === "unrecognized_keys") return raw.keys.map((k) => ({ field: [...raw.path.map(String), k].join("."), message: "unknown field", code: "unrecognized_keys" }));
    return [issue];
  });
}

const LEGACY_ALIASES: Record<string, string> = {
  capacity_block_id: "capacityReservationId",
  end_time: "endDate",
  instance_type: "instanceType",
  extend_by_days: "policy.extendByDays",
  extension_lookahead_days: "policy.lookaheadDays",
  require_approval: "policy.requireApproval",
  approval: "policy.requireApproval",
};

function resolveAliases(body: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const policy: Record<string, unknown> = body.policy && typeof body.policy === "object" && !Array.isArray(body.policy) ? { ...(body.policy as object) } : {};
  const issues: FieldIssue[] = [];
  for (const [k, v] of Object.entries(body)) {
    const target = Object.hasOwn(LEGACY_ALIASES, k) ? LEGACY_ALIASES[k]! : undefined;
    if (!target) {
      if (k !== "policy") out[k] = v;
      continue;
    }
    if (target.startsWith("policy.")) {
      const pk = target.slice(7);
      if (pk === "lookaheadDays") {
        if (typeof v !== "number") issues.push({ field: k, message: "must be a number of days", code: "invalid_type" });
        else policy.lookaheadHours = Math.round(v * 24);
      } else policy[pk] = v;
    } else if (Object.hasOwn(body, target)) {
      issues.push({ field: k, message: `is an alias of ${target}; send only one`, code: "duplicate_alias" });
    } else out[target] = v;
  }
  if (issues.length) throw new ValidationError(issues);
  if (body.policy !== undefined || Object.keys(policy).length) out.policy = body.policy !== undefined && (typeof body.policy !== "object" || body.policy === null || Array.isArray(body.policy)) ? body.policy : policy;
  return out;
}

const Editable = {
  name: z.string().max(200),
  capacityReservationId: CapacityReservationId,
  instanceType: z.string().max(64),
  availabilityZone: z.string().max(64),
  region: z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d+$/, { message: "must be an AWS region such as us-east-1" }),
  platform: z.string().max(64),
  tenancy: z.string().max(64),
  startDate: IsoDateTime,
  endDate: IsoDateTime,
  instanceCount: z.number().int().min(1),
  approved: z.boolean(),
};

export const CreateBlockBody = z
  .object({
    PK: PK.optional(),
    name: Editable.name.optional(),
    capacityReservationId: Editable.capacityReservationId,
    instanceType: Editable.instanceType.optional(),
    availabilityZone: Editable.availabilityZone.optional(),
    region: Editable.region.optional(),
    platform: Editable.platform.optional(),
    tenancy: Editable.tenancy.optional(),
    startDate: Editable.startDate.optional(),
    endDate: Editable.endDate.optional(),
    instanceCount: Editable.instanceCount.optional(),
    approved: Editable.approved.optional(),
    policy: ExtensionPolicy.optional(),
  })
  .strict();

export const UpdateBlockBody = z
  .object({
    PK: PK.optional(),
    version: z.number().int().min(1).optional(),
    name: Editable.name.optional(),
    capacityReservationId: Editable.capacityReservationId.optional(),
    instanceType: Editable.instanceType.optional(),
    availabilityZone: Editable.availabilityZone.optional(),
    region: Editable.region.optional(),
    platform: Editable.platform.optional(),
    tenancy: Editable.tenancy.optional(),
    startDate: Editable.startDate.optional(),
    endDate: Editable.endDate.optional(),
    instanceCount: Editable.instanceCount.optional(),
    approved: Editable.approved.optional(),
    policy: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

function asObject(body: unknown): Record<string, unknown> {
  if (body === null || typeof body !== "object" || Array.isArray(body)) throw new ValidationError([{ field: "", message: "must be a JSON object", code: "invalid_type" }]);
  return body as Record<string, unknown>;
}

function parseOrThrow<T extends z.ZodType>(schema: T, value: unknown, prefix = ""): z.infer<T> {
  const r = schema.safeParse(value);
  if (!r.success) throw new ValidationError(fieldIssuesFromZod(r.error).map((i) => ({ ...i, field: prefix ? (i.field ? `${prefix}.${i.field}` : prefix) : i.field })));
  return r.data;
}

function policyWarnings(policy: ExtensionPolicy): InputWarning[] {
  return policy.lookaheadHours < MIN_SAFE_LOOKAHEAD_HOURS
    ? [{ field: "policy.lookaheadHours", code: "lookahead_too_short", message: `leaves less than ${MIN_SAFE_LOOKAHEAD_HOURS} h for EC2 to settle payment before the block ends` }]
    : [];
}

export function parseCreateBlock(body: unknown, { now }: { now: Date }): { block: Block; warnings: InputWarning[] } {
  const input = parseOrThrow(CreateBlockBody, resolveAliases(asObject(body)));
  const region = input.region ?? (input.availabilityZone ? regionFromAvailabilityZone(input.availabilityZone) : undefined);
  if (!region) throw new ValidationError([{ field: "region", message: "is required when availabilityZone does not name one", code: "invalid_type" }]);
  const at = now.toISOString();
  const { policy: rawPolicy, PK: pk, ...rest } = input;
  const policy = rawPolicy ?? ExtensionPolicy.parse({});
  const block = Block.parse({
    ...rest,
    PK: pk ?? input.capacityReservationId,
    region,
    approved: input.approved ?? false,
    createdAt: at,
    updatedAt: at,
    status: "registered",
    version: 1,
    policy,
    spent: "0",
    extensionsPurchased: 0,
    nextCheckAt: at,
  });
  return { block, warnings: policyWarnings(policy) };
}

export function applyBlockUpdate(block: Block, body: unknown, { now }: { now: Date }): { block: Block; warnings: InputWarning[]; expectedVersion?: number } {
  const input = parseOrThrow(UpdateBlockBody, resolveAliases(asObject(body)));
  if (input.PK !== undefined && input.PK !== block.PK) throw new ValidationError([{ field: "PK", message: "cannot change", code: "immutable" }]);
  const { version, policy: policyPatch, PK: _pk, ...changes } = input;
  const mergedPolicy = Object.fromEntries(Object.entries({ ...block.policy, ...policyPatch }).filter(([, v]) => v !== null));
  const policy = parseOrThrow(ExtensionPolicy, mergedPolicy, "policy");
  const next = Block.parse({ ...block, ...changes, policy, updatedAt: now.toISOString() });
  return { block: next, warnings: policyWarnings(policy), expectedVersion: version };
}
