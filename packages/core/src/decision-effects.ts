import type { ApprovalRequestState, Block, BlockStatus, PendingExtension, PurchaseIntent } from "./block";
import type { Decision, StopReason } from "./decision";
import { backoffUntil } from "./engine-timing";
import type { EngineSettings } from "./engine-types";
import type { ExtensionRecord } from "./ec2-view";
import { durationText } from "./ladder";
import { addMoney } from "./money";
import { MINUTE_MS, canonicalIso, isoAt, sameInstant } from "./time";

/** After a purchase call, look again this soon to start tracking the payment. */
export const PURCHASE_FOLLOW_UP_MS = MINUTE_MS;

/**
 * The `nextCheckAt` to store after carrying out `decision` (null: never, until a person or EC2 changes something).
 * `fetch-offerings` is normally followed by another `decide` in the same tick; if it is stored, the block is due now.
 */
export function nextCheckAfter(decision: Decision, now: Date): string | null {
  const nowIso = isoAt(now.getTime());
  switch (decision.kind) {
    case "wait":
      return decision.until;
    case "fetch-offerings":
      return nowIso;
    case "request-approval":
    case "await-payment":
      return decision.nextCheckAt;
    case "purchase":
      return isoAt(now.getTime() + PURCHASE_FOLLOW_UP_MS);
    case "settle-intent":
      // A settled purchase is followed like a fresh one; a settled non-purchase is decided again right away.
      return decision.outcome === "purchased" ? isoAt(now.getTime() + PURCHASE_FOLLOW_UP_MS) : nowIso;
    case "stop":
      return decision.retryAt ?? null;
  }
}

/** The block status (and a human-readable reason) that a decision leaves the block in. */
export function statusFor(decision: Decision): { status: BlockStatus; reason: string } {
  switch (decision.kind) {
    case "wait":
      switch (decision.reason) {
        case "window-not-open":
          return { status: "waiting", reason: `extension window opens; next look at ${decision.until}` };
        case "approval-pending":
          return { status: "awaiting-approval", reason: `approval requested; next notice at ${decision.until}` };
        case "reservation-pending":
          return { status: "waiting", reason: "the capacity block's own payment is still pending at EC2" };
        case "settling":
          return { status: "purchasing", reason: "settling a purchase whose outcome is not yet known" };
        case "backoff":
          return { status: "throttled", reason: `backing off until ${decision.until}` };
        case "extension-bought":
          return { status: "payment-pending", reason: "extension bought for this window; waiting for EC2 to move the end date" };
      }
      break;
    case "fetch-offerings":
      return { status: "waiting", reason: "looking up extension offerings" };
    case "request-approval":
      return { status: "awaiting-approval", reason: `approval requested (${decision.notice}) for the window ending ${decision.window}` };
    case "purchase":
      return {
        status: "purchasing",
        reason: `buying ${durationText(decision.offering.durationHours)} for ${decision.offering.upfrontFee} ${decision.offering.currencyCode}`,
      };
    case "await-payment":
      return { status: "payment-pending", reason: `extension ${decision.extension.offeringId} is payment-pending at EC2` };
    case "settle-intent":
      return decision.outcome === "purchased"
        ? { status: "payment-pending", reason: `purchase ${decision.intent.offeringId} confirmed by EC2's history` }
        : { status: "waiting", reason: `purchase ${decision.intent.offeringId} did not take effect` };
    case "stop": {
      // currency-mismatch has no status of its own: to the owner it is "nothing buyable was offered". A reservation
      // of another stage (or not yet claimed) is, to this stage, not its own: not-owned, the reason says which.
      const status: BlockStatus =
        decision.reason === "currency-mismatch"
          ? "no-offering"
          : decision.reason === "other-stage" || decision.reason === "unclaimed"
            ? "not-owned"
            : decision.reason;
      return { status, reason: decision.detail };
    }
  }
}

/** Stops that mean the block will end (or needs a person): worth one notice per window and reason. */
const STOPS_THAT_NOTIFY: ReadonlySet<StopReason> = new Set([
  "no-offering",
  "price-above-cap",
  "budget-exhausted",
  "currency-mismatch",
  "window-closed",
  "not-owned",
  "other-stage",
  "not-found",
  "not-extendable",
  "payment-failed",
]);

/** Whether a stop for `reason` is told to people (once, when the block's status changes to it). */
export function stopNotifies(reason: StopReason): boolean {
  return STOPS_THAT_NOTIFY.has(reason);
}

/** A failure as the record keeps it: a stable code, a message, and whether EC2 throttled (backs off the same way). */
export interface FailureInfo {
  code: string;
  message: string;
  throttled: boolean;
}

/**
 * The record after a failed or throttled attempt: status and reason say so, `lastError` keeps it, and the block is
 * looked at again after an exponential backoff that grows with each consecutive failure.
 */
export function withFailure(
  block: Block,
  f: FailureInfo,
  now: Date,
  settings: Pick<EngineSettings, "backoffBaseMs" | "backoffMaxMs">,
  reason?: string,
): Block {
  const failures = (block.failures ?? 0) + 1;
  return {
    ...block,
    status: f.throttled ? "throttled" : "error",
    statusReason: reason ?? `${f.throttled ? "throttled" : "failed"}: ${f.message}`,
    lastError: { code: f.code, message: f.message, at: isoAt(now.getTime()) },
    failures,
    nextCheckAt: backoffUntil(failures - 1, now, settings),
  };
}

/** Consecutive-failure counter after a decision: grows on no-offering/price-above-cap/currency-mismatch (backoff), resets on progress. */
export function failuresAfter(decision: Decision, previous: number | undefined): number {
  if (
    decision.kind === "stop" &&
    (decision.reason === "no-offering" || decision.reason === "price-above-cap" || decision.reason === "currency-mismatch")
  ) {
    return (previous ?? 0) + 1;
  }
  if (decision.kind === "fetch-offerings") return previous ?? 0;
  return 0;
}

/**
 * The intent to write (conditionally, one winner) before calling PurchaseCapacityBlockExtension. It names the one
 * authorization the purchase uses; `callSettledAt` is the wall-clock instant after which the call can no longer
 * take effect (its timeout plus a margin), before which the intent is never settled "not bought".
 */
export function intentFor(
  decision: Extract<Decision, { kind: "purchase" }>,
  id: string,
  now: Date,
  callSettledAt?: string,
): PurchaseIntent {
  return {
    authorization: decision.authorization,
    ...(callSettledAt !== undefined ? { callSettledAt } : {}),
    id,
    window: canonicalIso(decision.window),
    offeringId: decision.offering.offeringId,
    durationHours: decision.offering.durationHours,
    upfrontFee: decision.offering.upfrontFee,
    currencyCode: decision.offering.currencyCode,
    createdAt: isoAt(now.getTime()),
  };
}

/** The record with a purchase intent in place (the approval is not consumed until EC2 confirms the purchase). */
export function withIntent(block: Block, intent: PurchaseIntent, now: Date): Block {
  return { ...block, intent, status: "purchasing", statusReason: `buying ${intent.offeringId}`, updatedAt: isoAt(now.getTime()) };
}

/**
 * Records an extension EC2 took (purchase answered, or an intent settled from history): clears the intent, marks
 * the window as bought, adds the fee to `spent` and consumes the approval. The end date is left alone: it moves
 * only when EC2 reports payment-succeeded (see reconcile).
 */
export function recordPurchased(block: Block, extension: ExtensionRecord, now: Date): Block {
  const window = canonicalIso(extension.startDate);
  const pendingExtension: PendingExtension = {
    window,
    offeringId: extension.offeringId,
    durationHours: extension.durationHours,
    upfrontFee: extension.upfrontFee,
    currencyCode: extension.currencyCode,
    purchasedAt: canonicalIso(extension.purchaseDate),
  };
  return {
    ...block,
    intent: null,
    pendingExtension,
    lastPurchaseWindow: window,
    spent: addMoney(block.spent, extension.upfrontFee),
    approval: null,
    approved: false,
    approvalRequest: null,
    status: "payment-pending",
    statusReason: `bought ${durationText(extension.durationHours)} for ${extension.upfrontFee} ${extension.currencyCode}; payment pending`,
    failures: 0,
    // Looked at again soon, to start following the payment.
    nextCheckAt: isoAt(now.getTime() + PURCHASE_FOLLOW_UP_MS),
    updatedAt: isoAt(now.getTime()),
  };
}

/** Clears an intent that provably never took effect; nothing was added to `spent` for it. */
export function recordNotPurchased(block: Block, now: Date): Block {
  return { ...block, intent: null, statusReason: "the last purchase attempt did not take effect", updatedAt: isoAt(now.getTime()) };
}

/**
 * Applies a request-approval decision after its notice was sent: one record per window, counting notices, so
 * reminders follow `reminderIntervalMs` and the last call goes out once.
 */
export function recordApprovalRequest(block: Block, decision: Extract<Decision, { kind: "request-approval" }>, now: Date): Block {
  const at = isoAt(now.getTime());
  const prev = sameInstant(block.approvalRequest?.window, decision.window) ? block.approvalRequest! : undefined;
  const approvalRequest: ApprovalRequestState = {
    window: canonicalIso(decision.window),
    firstSentAt: prev?.firstSentAt ?? at,
    lastSentAt: at,
    count: (prev?.count ?? 0) + 1,
    lastCallSent: (prev?.lastCallSent ?? false) || decision.notice === "last-call",
    offeringId: decision.offering.offeringId,
    upfrontFee: decision.offering.upfrontFee,
    durationHours: decision.offering.durationHours,
    currencyCode: decision.offering.currencyCode,
  };
  // A voided approval is dropped with the notice that asks for the new terms.
  const voided = decision.voided !== undefined ? { approval: null, approved: false } : {};
  return { ...block, ...voided, approvalRequest, status: "awaiting-approval", updatedAt: at };
}

/** Marks the payment-pending alert as sent for `extension`, adopting an extension bought outside CBM as `external`. */
export function markPaymentAlerted(block: Block, extension: ExtensionRecord, now: Date): Block {
  const at = isoAt(now.getTime());
  const ours = block.pendingExtension?.offeringId === extension.offeringId ? block.pendingExtension : undefined;
  const pendingExtension: PendingExtension = ours
    ? { ...ours, alertedAt: at }
    : {
        window: canonicalIso(extension.startDate),
        offeringId: extension.offeringId,
        durationHours: extension.durationHours,
        upfrontFee: extension.upfrontFee,
        currencyCode: extension.currencyCode,
        purchasedAt: canonicalIso(extension.purchaseDate),
        alertedAt: at,
        external: true,
      };
  return { ...block, pendingExtension, updatedAt: at };
}
