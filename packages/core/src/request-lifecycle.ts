import type { CapacityRequest, RequestIntent, RequestPurchase } from "./capacity-request";
import { TERMINAL_REQUEST_STATUSES } from "./capacity-request";
import type { ReservationView } from "./ec2-view";
import type { BlockOffering } from "./offerings";
import { callMayStillLand } from "./purchase-outcome";
import { RequestInvariantError } from "./errors";
import { isoAt, toMs } from "./time";

/*
 * The capacity request's purchase lifecycle, beside the blocks' (engine.ts, decision-effects.ts): which step a
 * request is at, and the record each transition leaves. The worker (functions/src/requests/worker) carries them out, each
 * as one conditional write; nothing here does I/O. The protocol is the extensions': intent first, one call, an
 * unknown outcome is ambiguous and settled only from EC2 (the purchase's tag) once the call can no longer land.
 *
 *   searching ⇄ awaiting-approval → purchasing (intent) → payment-pending (purchase) → fulfilled | payment-failed
 *        ↑______________________________| (refused, or settled "not bought")
 *   searching | awaiting-approval → expired | cancelled
 */

/** What the worker does with a due request. */
export type RequestStep =
  | { kind: "settle-intent"; intent: RequestIntent }
  | { kind: "follow-payment"; purchase: RequestPurchase }
  /** A finished successor request whose fee is not yet counted in its predecessor's budget. */
  | { kind: "count-successor"; purchase: RequestPurchase }
  | { kind: "retire"; reason: string }
  | { kind: "search" };

/** The step a request is at: an unsettled intent first, then a purchase being paid, then searching while open. */
export function nextRequestStep(req: CapacityRequest): RequestStep {
  if (req.intent) return { kind: "settle-intent", intent: req.intent };
  if (req.purchase) {
    if (req.status === "fulfilled" || req.status === "payment-failed")
      return needsSuccessorCount(req) ? { kind: "count-successor", purchase: req.purchase } : { kind: "retire", reason: req.status };
    return { kind: "follow-payment", purchase: req.purchase };
  }
  if (TERMINAL_REQUEST_STATUSES.has(req.status)) return { kind: "retire", reason: req.status };
  return { kind: "search" };
}

const MINUTE_MS = 60_000;
const later = (at: string, ms: number) => isoAt(toMs(at) + ms);

/** A request leaves the due index: nothing more to do for it. */
export function retired(req: CapacityRequest): CapacityRequest {
  return { ...req, nextCheckAt: null };
}

/**
 * The intent, written (conditionally on the version read) before PurchaseCapacityBlock is called. Only an open
 * request with neither an intent nor a purchase may get one: a request buys at most one block, ever.
 */
export function withRequestIntent(req: CapacityRequest, intent: RequestIntent, at: string): CapacityRequest {
  if (req.intent || req.purchase) throw new RequestInvariantError(`request ${req.id} already has an intent or a purchase`);
  if (TERMINAL_REQUEST_STATUSES.has(req.status)) throw new RequestInvariantError(`request ${req.id} is ${req.status}`);
  const o = intent.offering;
  return {
    ...req,
    intent,
    status: "purchasing",
    statusReason: `Buying ${o.offeringId} for ${o.upfrontFee} ${o.currencyCode}`,
    updatedAt: at,
    // If this run dies after the call, the next one settles the intent.
    nextCheckAt: later(at, MINUTE_MS),
  };
}

/** EC2 certainly did nothing (rejected or throttled at the door): the intent goes and the request searches again now. */
export function purchaseRefused(req: CapacityRequest, reason: string, at: string): CapacityRequest {
  assertOwnIntent(req);
  return {
    ...req,
    intent: null,
    status: "searching",
    statusReason: `EC2 refused the purchase: ${reason}`,
    updatedAt: at,
    nextCheckAt: at,
    failures: (req.failures ?? 0) + 1,
  };
}

/** The call's outcome is unknown: the intent stays, and only its tag can tell (never retried). */
export function purchaseAmbiguous(req: CapacityRequest, reason: string, at: string): CapacityRequest {
  assertOwnIntent(req);
  return { ...req, statusReason: `Purchase outcome unknown (${reason}); settling from EC2 by the purchase's tag`, updatedAt: at };
}

/** How an intent stands against EC2: its tagged reservation is the purchase; no tag is "not bought" only once the call can no longer land. */
export type IntentSettlement = { kind: "bought"; reservation: ReservationView } | { kind: "wait" } | { kind: "not-bought" };

export function settleRequestIntent(intent: RequestIntent, tagged: readonly ReservationView[], wallNowMs: number): IntentSettlement {
  const found = tagged[0];
  if (found) return { kind: "bought", reservation: found };
  return callMayStillLand(intent.callSettledAt, wallNowMs) ? { kind: "wait" } : { kind: "not-bought" };
}

/** Still unknown: look again in a minute. */
export function intentStillUnsettled(req: CapacityRequest, at: string): CapacityRequest {
  assertOwnIntent(req);
  return {
    ...req,
    statusReason: "Purchase outcome unknown; settling from EC2 by the purchase's tag",
    updatedAt: at,
    nextCheckAt: later(at, MINUTE_MS),
  };
}

/** No reservation carries the intent's tag and its call can no longer land: nothing was bought; search again now. */
export function intentNotBought(req: CapacityRequest, at: string): CapacityRequest {
  const intent = assertOwnIntent(req);
  return {
    ...req,
    intent: null,
    status: "searching",
    statusReason: `The purchase of ${intent.offering.offeringId} did not happen (no reservation carries its tag); searching again`,
    updatedAt: at,
    nextCheckAt: at,
  };
}

/**
 * Records what EC2 bought for the intent (returned by the call or found by its tag) and clears the intent; the
 * approval is consumed by the purchase it allowed. From here on the request can never buy again.
 */
export function purchaseRecorded(req: CapacityRequest, r: ReservationView, at: string): CapacityRequest {
  const intent = assertOwnIntent(req);
  const o: BlockOffering = intent.offering;
  return {
    ...req,
    intent: null,
    approval: null,
    purchase: {
      intentId: intent.id,
      capacityReservationId: r.capacityReservationId,
      region: o.region,
      availabilityZone: r.availabilityZone ?? o.availabilityZone,
      offeringId: o.offeringId,
      upfrontFee: o.upfrontFee,
      currency: o.currencyCode,
      startDate: r.startDate ?? o.startDate,
      endDate: r.endDate,
      purchasedAt: at,
      state: r.state,
      authorization: intent.authorization,
    },
    status: "payment-pending",
    statusReason: `Bought ${r.capacityReservationId} for ${o.upfrontFee} ${o.currencyCode}; EC2 is collecting the payment`,
    updatedAt: at,
    nextCheckAt: at,
    failures: 0,
  };
}

/** Where EC2's payment for the bought block stands: paid (register the block), failed (stop), or still pending. */
export type PaymentProgress = "paid" | "failed" | "pending";

export function paymentProgress(state: string): PaymentProgress {
  if (state === "payment-failed") return "failed";
  return state === "scheduled" || state === "active" || state === "expired" ? "paid" : "pending";
}

/** The payment failed: nothing else is ever bought for this request. */
export function paymentFailed(req: CapacityRequest, state: string, at: string): CapacityRequest {
  const p = assertPurchase(req);
  return {
    ...req,
    purchase: { ...p, state },
    status: "payment-failed",
    statusReason: "EC2 could not collect the payment; nothing else is bought for this request",
    updatedAt: at,
    nextCheckAt: null,
  };
}

export function paymentStillPending(req: CapacityRequest, state: string, at: string): CapacityRequest {
  const p = assertPurchase(req);
  return {
    ...req,
    purchase: { ...p, state },
    statusReason: `Bought ${p.capacityReservationId}; payment ${state}`,
    updatedAt: at,
    nextCheckAt: later(at, MINUTE_MS),
  };
}

/** Paid and registered as the managed block `pk`: the request is done. */
export function requestFulfilled(req: CapacityRequest, state: string, pk: string, at: string): CapacityRequest {
  const p = assertPurchase(req);
  return {
    ...req,
    purchase: { ...p, state },
    registeredPk: pk,
    status: "fulfilled",
    statusReason: `Bought and managed as '${pk}'`,
    updatedAt: at,
    nextCheckAt: null,
  };
}

/** The latest start passed with nothing bought. */
export function requestExpired(req: CapacityRequest, at: string): CapacityRequest {
  if (req.intent || req.purchase) throw new RequestInvariantError(`request ${req.id} cannot expire with a purchase in flight or done`);
  return {
    ...req,
    status: "expired",
    statusReason: "The latest start passed with nothing bought",
    quote: null,
    updatedAt: at,
    nextCheckAt: null,
  };
}

/** Nothing fits this time: search again at `nextCheckAt` (the worker's backoff). */
export function nothingFits(req: CapacityRequest, reason: string, at: string, nextCheckAt: string): CapacityRequest {
  if (req.intent || req.purchase) throw new RequestInvariantError(`request ${req.id} searches with a purchase in flight or done`);
  return { ...req, status: "searching", statusReason: reason, updatedAt: at, failures: (req.failures ?? 0) + 1, nextCheckAt };
}

/** An offering fits but needs a person's approval of its exact terms; the quote may vanish, so look again soon. */
export function awaitingApproval(
  req: CapacityRequest,
  quote: BlockOffering,
  quotedAt: string,
  reason: string,
  at: string,
): CapacityRequest {
  if (req.intent || req.purchase) throw new RequestInvariantError(`request ${req.id} quotes with a purchase in flight or done`);
  return {
    ...req,
    status: "awaiting-approval",
    statusReason: reason,
    quote,
    quotedAt,
    updatedAt: at,
    failures: 0,
    nextCheckAt: later(at, 5 * MINUTE_MS),
  };
}

/**
 * Whether a successor request's purchase still has to be counted in the budget of the reservation it continues
 * (see countSuccessor): once bought, unless EC2 could not collect the payment (then nothing was spent).
 */
export function needsSuccessorCount(req: CapacityRequest): boolean {
  return req.purchase != null && req.successorOf !== undefined && req.successorCounted !== true && req.status !== "payment-failed";
}

/** The successor's fee is in its predecessor's `spent` (or was found there): never counted again. */
export function successorCountRecorded(req: CapacityRequest, at: string): CapacityRequest {
  const done = req.status === "fulfilled" || req.status === "payment-failed";
  return { ...req, successorCounted: true, updatedAt: at, ...(done ? { nextCheckAt: null } : {}) };
}

/**
 * No registration manages the predecessor now (deleted): the count waits for the next one, which takes over the
 * reservation's spend, until the predecessor's window (the successor's earliest start) has passed; after that no
 * purchase can be made from that budget, so the request leaves the due index.
 */
export function successorCountDeferred(req: CapacityRequest, at: string): CapacityRequest {
  if (toMs(at) >= toMs(req.wanted.earliestStart)) {
    return {
      ...req,
      statusReason: `${req.statusReason ?? ""} (its fee was not counted: ${req.successorOf} is not managed)`.trim(),
      nextCheckAt: null,
      updatedAt: at,
    };
  }
  return { ...req, updatedAt: at, nextCheckAt: later(at, 10 * MINUTE_MS) };
}

function assertOwnIntent(req: CapacityRequest): RequestIntent {
  if (!req.intent) throw new RequestInvariantError(`request ${req.id} has no intent to settle`);
  return req.intent;
}

function assertPurchase(req: CapacityRequest): RequestPurchase {
  if (!req.purchase) throw new RequestInvariantError(`request ${req.id} has no purchase`);
  return req.purchase;
}
