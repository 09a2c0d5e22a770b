import type { Block } from "./block";
import { spelled, type CreateBlockCommand } from "./block-commands";
import { canonicalOrUndefined, checkDateOrder, compact, effectivePolicy, resolveRegion } from "./block-fields";
import { CapacityReservationId } from "./ec2-view";
import { ValidationError, type FieldIssue } from "./errors";
import { endDateWarnings, policyWarnings } from "./policy-warnings";
import { canonicalIso } from "./time";

/**
 * Builds the full stored record of a new registration: status `registered`, version 1, nothing spent, the
 * effective policy with defaults, region derived from the availability zone (or CBM's own, for first-release
 * scripts that leave it out), and due immediately. Throws ValidationError naming each field as the client sent it.
 */
export function registerBlock(cmd: CreateBlockCommand, ctx: { now: string; defaultRegion?: string }): { block: Block; warnings: string[] } {
  const issues: FieldIssue[] = [];
  let region = resolveRegion(cmd.region, cmd.availabilityZone, issues);
  const regionWarnings: string[] = [];
  if (region === undefined && cmd.availabilityZone === undefined) {
    // The first release's extender worked in its own region; scripts written for it may leave the region out.
    if (ctx.defaultRegion !== undefined) {
      region = ctx.defaultRegion;
      regionWarnings.push(`region not given: using ${ctx.defaultRegion}, the region CBM runs in`);
    } else {
      issues.push({ field: "region", message: "is required when availabilityZone is not given", code: "required" });
    }
  }
  const endDate = canonicalOrUndefined(cmd.endDate);
  const startDate = canonicalOrUndefined(cmd.startDate);
  checkDateOrder({ startDate, endDate }, { endField: spelled(cmd.spelledAs, "endDate") }, issues);
  if (issues.length > 0 || region === undefined) throw new ValidationError(issues);

  const now = canonicalIso(ctx.now);
  const policy = effectivePolicy({}, cmd.policy);
  const cr = cmd.capacityReservationId;
  const block: Block = compact({
    PK: cmd.PK ?? cr,
    name: cmd.name,
    capacityReservationId: cr,
    instanceType: cmd.instanceType,
    availabilityZone: cmd.availabilityZone,
    region,
    platform: cmd.platform,
    tenancy: cmd.tenancy,
    startDate,
    endDate,
    instanceCount: cmd.instanceCount,
    tags: cmd.tags,
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
    ...(cmd.notices ?? []),
    ...regionWarnings,
    ...reservationIdWarnings(cr, spelled(cmd.spelledAs, "capacityReservationId")),
    ...policyWarnings(policy, { now, endDate }),
    ...endDateWarnings(endDate, now),
  ];
  return { block, warnings };
}

function reservationIdWarnings(id: string, field: string): string[] {
  if (CapacityReservationId.safeParse(id).success) return [];
  return [
    `${field} ${JSON.stringify(id)} is not in EC2's format (cr- and 17 hex digits): EC2 will not know it, the block will report not-found and nothing is ever bought for it`,
  ];
}
