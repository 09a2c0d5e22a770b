import type { Block } from "./block";
import { regionFromAvailabilityZone } from "./block";
import { compareMoney, subtractMoney } from "./money";
import { HOUR_MS, toMs } from "./time";

/** What a successor request asks for: the body of `POST /requests`, built from the block and its policy. */
export interface SuccessorRequestBody {
  name: string;
  instanceType: string;
  instanceCount: number;
  durationDays: number;
  earliestStart: string;
  latestStart: string;
  regions: string[];
  availabilityZones: string[];
  maxUpfrontFee?: string;
  budget?: string;
  currency: string;
  requireApproval: boolean;
  blockPk: string;
  policy: Block["policy"];
  /** The reservation whose budget pays for the successor (see countSuccessor). */
  successorOf: string;
}

export type SuccessorPlan = { kind: "open"; id: string; body: SuccessorRequestBody; notice: string } | { kind: "skip"; reason: string };

/** The one successor request of a reservation's window (its end date), whichever registration opens it. */
export function successorRequestId(capacityReservationId: string, windowEndMs: number): string {
  return `succ-${capacityReservationId.replace(/[^0-9A-Za-z_-]/g, "").slice(0, 60)}-${windowEndMs}`;
}

/** A successor may start this long after the block's end at the latest: EC2 offers starts at 11:30 UTC each day. */
const LATEST_START_AFTER_END_MS = 24 * HOUR_MS;

/**
 * Whether the block's policy asks for a successor now, and which request: only when `openSuccessorRequest` is on,
 * EC2 offered no extension (status no-offering) while the window is open, and the block is known well enough (type,
 * count, zone, end) to ask for the same capacity. The request id is derived from the reservation and the window
 * (its end date), never from the registration: every run, and every registration of the reservation after a delete,
 * names the same request, so only the first one creates it and one window buys at most one successor.
 */
export function planSuccessor(block: Block, now: string): SuccessorPlan {
  const p = block.policy;
  if (!p.openSuccessorRequest) return { kind: "skip", reason: "the policy does not ask for a successor" };
  if (block.status !== "no-offering") return { kind: "skip", reason: `the block is ${block.status}` };
  if (!block.endDate || !block.instanceType || !block.instanceCount || !block.availabilityZone) {
    return { kind: "skip", reason: "EC2 has not told CBM the block's type, count, zone and end yet" };
  }
  const endMs = toMs(block.endDate);
  if (block.successorPurchases?.some((s) => toMs(s.window) === endMs))
    return { kind: "skip", reason: "a successor was bought for this window" };
  if (toMs(now) >= endMs || toMs(now) < endMs - p.lookaheadHours * HOUR_MS) return { kind: "skip", reason: "the window is not open" };
  const left = p.budget === undefined ? undefined : subtractMoney(p.budget, block.spent);
  if (left !== undefined && compareMoney(left, "0") <= 0) return { kind: "skip", reason: "the budget is spent" };
  if (p.maxUpfrontFee === undefined && left === undefined) {
    return { kind: "skip", reason: "the policy has neither maxUpfrontFee nor budget, and CBM never buys a block without a price cap" };
  }
  const region = regionFromAvailabilityZone(block.availabilityZone) ?? block.region;
  const id = successorRequestId(block.capacityReservationId, endMs);
  const pk = `${block.PK.slice(0, 120)}-next`;
  return {
    kind: "open",
    id,
    body: {
      // One successor per window, so the name says which window: a later window's successor is another request.
      name: `successor of ${block.PK} ending ${block.endDate.slice(0, 10)}`,
      instanceType: block.instanceType,
      instanceCount: block.instanceCount,
      durationDays: p.extendByDays,
      earliestStart: block.endDate,
      latestStart: new Date(endMs + LATEST_START_AFTER_END_MS).toISOString(),
      regions: [region],
      availabilityZones: [block.availabilityZone],
      ...(p.maxUpfrontFee !== undefined ? { maxUpfrontFee: p.maxUpfrontFee } : {}),
      ...(left !== undefined ? { budget: left } : {}),
      currency: p.currency,
      requireApproval: p.requireApproval,
      blockPk: pk,
      successorOf: block.capacityReservationId,
      // The successor carries the same policy, so a long run can continue block after block.
      policy: p,
    },
    notice:
      `EC2 offers no extension of ${block.capacityReservationId} (${block.PK}), so CBM opened a request for a successor block: ` +
      `${block.instanceCount} × ${block.instanceType} in ${block.availabilityZone}, ${p.extendByDays} day(s) from ${block.endDate} ` +
      `(or the nearest start within a day), under the same approval rule and caps. A successor is a new reservation: ` +
      `instances do not carry over; relaunch them into it (it will be managed as '${pk}').`,
  };
}
