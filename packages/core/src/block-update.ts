import type { Block } from "./block";
import { spelled, type ApprovalCommand, type UpdateBlockCommand } from "./block-commands";
import { canonicalOrUndefined, checkDateOrder, compact, effectivePolicy, resolveRegion } from "./block-fields";
import { PurchaseInFlightError, ValidationError, VersionConflictError, type FieldIssue } from "./errors";
import { compareMoney } from "./money";
import { policyWarnings } from "./policy-warnings";
import { canonicalIso } from "./time";

/** The outcome of applying an update: the new record, what to tell the client, and what the approval flag asks. */
export interface AppliedUpdate {
  block: Block;
  warnings: string[];
  /** The client's `version`, for optimistic concurrency. */
  expectedVersion?: number;
  verdict?: ApprovalCommand;
}

/**
 * Applies an update to a stored block and returns the new record (same version: the store bumps it) due now, so
 * the scheduler re-evaluates at once. PK and capacityReservationId never change; a denial is kept; an approval flag
 * approves the window (as PATCH) or withdraws a held approval. Throws ValidationError naming fields as sent.
 */
export function applyBlockUpdate(block: Block, cmd: UpdateBlockCommand, ctx: { now: string }): AppliedUpdate {
  checkReadOnlyEchoes(block, cmd);
  const issues: FieldIssue[] = [];
  if (cmd.PK !== undefined && cmd.PK !== block.PK) {
    issues.push({ field: "PK", message: `cannot change (the block is '${block.PK}')`, code: "immutable" });
  }
  if (cmd.capacityReservationId !== undefined && cmd.capacityReservationId !== block.capacityReservationId) {
    issues.push({
      field: spelled(cmd.spelledAs, "capacityReservationId"),
      message: `cannot change (the block manages ${block.capacityReservationId}); register the other reservation as a new block`,
      code: "immutable",
    });
  }
  const az = cmd.availabilityZone ?? block.availabilityZone;
  // An explicit region wins; a new zone without one moves the region with it.
  const region = resolveRegion(cmd.region ?? (cmd.availabilityZone !== undefined ? undefined : block.region), az, issues) ?? block.region;
  const endDate = canonicalOrUndefined(cmd.endDate) ?? block.endDate;
  const startDate = canonicalOrUndefined(cmd.startDate) ?? block.startDate;
  checkDateOrder({ startDate, endDate }, cmd.endDate !== undefined ? { endField: spelled(cmd.spelledAs, "endDate") } : {}, issues);
  if (issues.length > 0) throw new ValidationError(issues);
  // Moving a block to another region while a purchase is in flight would lose track of the money.
  if (region !== block.region && (block.intent || block.pendingExtension)) throw new PurchaseInFlightError(block.PK);

  const now = canonicalIso(ctx.now);
  const policy = effectivePolicy(block.policy, cmd.policy);
  // `spent` is counted in the policy's currency: switching currency would read 900 USD as 900 EUR against the budget.
  if (policy.currency !== block.policy.currency && (compareMoney(block.spent, "0") > 0 || block.pendingExtension || block.intent)) {
    throw new ValidationError([
      {
        field: spelled(cmd.spelledAs, "currency"),
        message: `cannot change while ${block.spent} ${block.policy.currency} is counted as spent: reset the block's spend first (its reset-spend action)`,
        code: "conflict",
      },
    ]);
  }
  const next: Block = compact({
    ...block,
    name: cmd.name === null ? undefined : (cmd.name ?? block.name),
    instanceType: cmd.instanceType ?? block.instanceType,
    availabilityZone: az,
    region,
    platform: cmd.platform ?? block.platform,
    tenancy: cmd.tenancy ?? block.tenancy,
    startDate,
    endDate,
    instanceCount: cmd.instanceCount ?? block.instanceCount,
    tags: cmd.tags === null ? undefined : (cmd.tags ?? block.tags),
    policy,
    updatedAt: now,
    // Due now, so the new policy takes effect on the next tick; the failure backoff starts over.
    nextCheckAt: now,
    failures: 0,
  });
  const warnings = [...(cmd.notices ?? []), ...policyWarnings(policy, { now, endDate })];
  if (cmd.endDate !== undefined) warnings.push("endDate is only a hint: EC2's end date replaces it at the next check");
  const verdict = verdictOf(block, cmd);
  return {
    block: next,
    warnings,
    ...(cmd.version !== undefined ? { expectedVersion: cmd.version } : {}),
    ...(verdict ? { verdict } : {}),
  };
}

/** The README's `approved` read back unchanged is an echo; the first release's `approval` flag is always an act. */
function verdictOf(block: Block, cmd: UpdateBlockCommand): ApprovalCommand | undefined {
  const flag = cmd.approval;
  if (flag === undefined || (!flag.alwaysActs && flag.value === block.approved)) return undefined;
  return flag.value ? "approve" : "withdraw";
}

/**
 * A whole record read back and PUT again carries CBM's own fields: those sent with their stored values are accepted
 * and ignored; one sent with another value is a real attempt to change it and is refused as read-only, or, when the
 * command's `version` is older than the stored one, reported as the version conflict it is.
 */
function checkReadOnlyEchoes(block: Block, cmd: UpdateBlockCommand): void {
  const stored = block as unknown as Record<string, unknown>;
  const changed = Object.entries(cmd.readOnly ?? {})
    .filter(([key, value]) => !sameJson(value, stored[key]))
    .map(([key]) => key);
  if (changed.length === 0) return;
  if (cmd.version !== undefined && cmd.version !== block.version) throw new VersionConflictError(block.PK, cmd.version);
  throw new ValidationError(changed.map((field) => ({ field, message: "is read-only: CBM maintains it", code: "read_only" })));
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
