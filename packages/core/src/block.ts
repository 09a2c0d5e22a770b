import * as z from "zod";
import { StoredTags } from "./tags";
import { Authorization, AuthorizationTerms } from "./authorization";
import { ExtensionPolicy, IsoDateTime, Money } from "./policy";

/** A block's PK (and a stored reservation id): 1–128 characters of `A-Z a-z 0-9 . _ : -`, safe in a URL path and a DynamoDB key. */
export const KEY_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;
const KEY_MESSAGE = "must be 1–128 characters of A-Z a-z 0-9 . _ : -";

/**
 * A reservation id as stored: EC2's `cr-` + 17 hex digits, or any other id a first-release script registered (its
 * mocks use `cr-test12345`). EC2 decides whether it exists: a malformed id is never sent to EC2 and reads as not-found.
 */
export const StoredReservationId = z.string().regex(KEY_PATTERN, { message: KEY_MESSAGE });

/** A block's key. Which keys the API's paths can reach is the edge's rule (functions' platform/http/reserved-keys.ts). */
export const PK = z.string().regex(KEY_PATTERN, { message: KEY_MESSAGE });

/** Where a managed block stands, as last decided by the scheduler or changed by a person. */
export const BlockStatus = z.enum([
  "registered", // created, not yet checked against EC2
  "waiting", // window not open yet
  "awaiting-approval", // approval requested for the current window
  "approved", // approved, purchase comes on the next tick
  "purchasing", // purchase intent recorded; outcome being settled
  "payment-pending", // extension bought, EC2 still collecting payment
  "no-offering", // EC2 offered nothing for the wanted durations; retrying with backoff
  "price-above-cap", // offering dearer than maxUpfrontFee; retrying with backoff
  "budget-exhausted",
  "extend-until-reached",
  "max-extensions-reached",
  "denied", // a person denied this window
  "payment-failed",
  "window-closed", // too close to the end to buy safely
  "paused", // policy.enabled = false
  "expired",
  "not-found", // EC2 does not know the reservation
  "not-owned", // another account owns it (shared in), or another CBM stage claimed it: only they extend
  "not-extendable", // EC2 state is not active/scheduled
  "throttled", // backing off after EC2 throttling
  "error", // last tick failed for this block; see lastError
]);
export type BlockStatus = z.infer<typeof BlockStatus>;

/** A person's approval or denial; it belongs to one window (the EC2 end date it was given for). */
export const Verdict = z.object({
  window: IsoDateTime,
  by: z.string(),
  at: IsoDateTime,
  comment: z.string().max(1000).optional(),
  /** What an approval covers (absent on denials and on approvals stored before terms existed, which cover nothing). */
  terms: AuthorizationTerms.optional(),
});
export type Verdict = z.infer<typeof Verdict>;

/**
 * The durable record written before PurchaseCapacityBlockExtension is called: only one writer can create it
 * (conditional write), and while it exists nothing else is bought for the block until it is settled from EC2.
 */
export const PurchaseIntent = z.object({
  id: z.string(),
  window: IsoDateTime,
  offeringId: z.string(),
  durationHours: z.number().int(),
  upfrontFee: Money,
  currencyCode: z.string(),
  createdAt: IsoDateTime,
  /** Set once the purchase call returned success; until then the outcome is unknown. */
  confirmedAt: IsoDateTime.optional(),
  /** The one authorization this purchase uses (policy, approval or automatic approval) and its terms. */
  authorization: Authorization.optional(),
  /**
   * Wall-clock instant before which the purchase call may still reach EC2 (call timeout plus a margin): the intent is
   * never settled "not bought" before it, whatever a virtual Clock says.
   */
  callSettledAt: IsoDateTime.optional(),
});
export type PurchaseIntent = z.infer<typeof PurchaseIntent>;

/** A bought extension whose payment EC2 has not settled yet. */
export const PendingExtension = z.object({
  window: IsoDateTime,
  offeringId: z.string(),
  durationHours: z.number().int(),
  upfrontFee: Money,
  currencyCode: z.string(),
  purchasedAt: IsoDateTime,
  /** Set once the "payment still pending near the end" alert went out, so it goes out once. */
  alertedAt: IsoDateTime.optional(),
  /** Bought outside CBM and tracked only for the alert: never counted in `spent` or `extensionsPurchased`. */
  external: z.boolean().optional(),
});
export type PendingExtension = z.infer<typeof PendingExtension>;

/**
 * A successor block bought (by a capacity request the block's policy opened) for one window of this reservation. It
 * is paid from this block's budget, so it is counted in `spent` once, recorded here by request id so it never is twice.
 */
export const SuccessorPurchase = z.object({
  requestId: z.string(),
  /** The successor's own reservation. */
  capacityReservationId: z.string(),
  upfrontFee: Money,
  currency: z.string(),
  /** The window (this reservation's end date) the successor continues. */
  window: IsoDateTime,
  countedAt: IsoDateTime,
});
export type SuccessorPurchase = z.infer<typeof SuccessorPurchase>;

/** Bookkeeping that keeps approval requests to one per window plus reminders and a last call. */
export const ApprovalRequestState = z.object({
  window: IsoDateTime,
  firstSentAt: IsoDateTime,
  lastSentAt: IsoDateTime,
  count: z.number().int(),
  lastCallSent: z.boolean(),
  offeringId: z.string().optional(),
  upfrontFee: Money.optional(),
  /** The quoted duration and currency: an approval given after this notice covers exactly this quote. */
  durationHours: z.number().int().optional(),
  currencyCode: z.string().optional(),
});
export type ApprovalRequestState = z.infer<typeof ApprovalRequestState>;

export const LastError = z.object({ code: z.string(), message: z.string(), at: IsoDateTime });
export type LastError = z.infer<typeof LastError>;

/** A managed capacity block: the original README's data model plus policy and scheduler state. */
export const Block = z.object({
  PK,
  name: z.string().max(200).optional(),
  capacityReservationId: StoredReservationId,
  /**
   * This registration of the PK: a new id on every create, part of every conditional write, so a writer holding a
   * copy of a deleted registration can never write into a re-created one (absent on records from before it existed).
   */
  registrationId: z.string().optional(),
  instanceType: z.string().optional(),
  availabilityZone: z.string().optional(),
  region: z.string(),
  /** A person's labels (`team` drives spend per team); absent when none. */
  tags: StoredTags.optional(),
  platform: z.string().optional(),
  tenancy: z.string().optional(),
  startDate: IsoDateTime.optional(),
  /** EC2's end date as last seen; a person's value is only a hint until the first reconciliation. */
  endDate: IsoDateTime.optional(),
  instanceCount: z.number().int().optional(),
  /** True while an approval for the current window is held (the original README's flag). */
  approved: z.boolean(),
  createdAt: IsoDateTime,
  updatedAt: IsoDateTime,
  status: BlockStatus,
  /** Human-readable reason for the status. */
  statusReason: z.string().optional(),
  lastError: LastError.nullable().optional(),
  /** Optimistic-concurrency counter; every write requires the version it read. */
  version: z.number().int().min(1),
  policy: ExtensionPolicy,
  approval: Verdict.nullable().optional(),
  denial: Verdict.nullable().optional(),
  approvalRequest: ApprovalRequestState.nullable().optional(),
  intent: PurchaseIntent.nullable().optional(),
  pendingExtension: PendingExtension.nullable().optional(),
  /** Window (EC2 end date) of the last extension bought: at most one purchase per window. */
  lastPurchaseWindow: IsoDateTime.nullable().optional(),
  /** Paid plus pending fees, in `policy.currency` (successor blocks bought from this budget included). */
  spent: Money,
  /** Successor blocks counted in `spent` (see SuccessorPurchase); carried across registrations like `spent`. */
  successorPurchases: z.array(SuccessorPurchase).max(50).optional(),
  extensionsPurchased: z.number().int().min(0),
  /** When the scheduler next needs to look at this block; absent means never (terminal). Drives the due index. */
  nextCheckAt: IsoDateTime.nullable().optional(),
  /** Consecutive failures/throttles, for exponential backoff. */
  failures: z.number().int().min(0).optional(),
});
export type Block = z.infer<typeof Block>;

/** Derives the region from an availability zone: `us-east-1a` → `us-east-1`, `us-east-1-dfw-2a` → `us-east-1`. */
export function regionFromAvailabilityZone(az: string): string | undefined {
  const m = /^([a-z]{2}(?:-gov)?-[a-z]+-\d+)/.exec(az);
  return m?.[1];
}
