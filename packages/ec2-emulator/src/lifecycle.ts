import type { RuleConfig } from "./config";
import type { Extension, ExtensionStatus, Payment, Reservation, ReservationState } from "./model";

/*
 * Lifecycle state is derived from the clock instead of being mutated by timers: every read asks "what is true
 * at now?". Advancing the clock by a month therefore applies every payment, start and end in time order, and a
 * clock that runs at N× wall speed needs no scheduler at all.
 */

export function extensionStatus(ext: Extension, nowMs: number): ExtensionStatus {
  if (nowMs < ext.payment.resolvesAtMs) return "payment-pending";
  return ext.payment.outcome === "succeeded" ? "payment-succeeded" : "payment-failed";
}

/** The current EndDate: the bought end plus every extension whose payment has succeeded by now. */
export function endMs(r: Reservation, nowMs: number): number {
  let end = r.baseEndMs;
  for (const ext of r.extensions) {
    if (ext.payment.outcome === "succeeded" && ext.payment.resolvesAtMs <= nowMs && ext.endMs > end) end = ext.endMs;
  }
  return end;
}

export function reservationState(r: Reservation, nowMs: number): ReservationState {
  if (r.pinnedState) return r.pinnedState;
  if (r.payment) {
    if (nowMs < r.payment.resolvesAtMs) return "payment-pending";
    if (r.payment.outcome === "failed") return "payment-failed";
  }
  if (nowMs < r.startMs) return "scheduled";
  if (nowMs < endMs(r, nowMs)) return "active";
  return "expired";
}

export function pendingExtension(r: Reservation, nowMs: number): Extension | undefined {
  return r.extensions.find((ext) => extensionStatus(ext, nowMs) === "payment-pending");
}

/** Expired and payment-failed blocks stay visible for the retention period, then answer NotFound. */
export function isRetained(r: Reservation, nowMs: number, config: RuleConfig): boolean {
  if (config.expiredRetentionMs === Infinity) return true;
  const state = reservationState(r, nowMs);
  if (state === "expired") return nowMs < endMs(r, nowMs) + config.expiredRetentionMs;
  if (state === "payment-failed" && r.payment) return nowMs < r.payment.resolvesAtMs + config.expiredRetentionMs;
  return true;
}

/**
 * An extension's payment clears after the configured delay unless forced to fail, and fails anyway when it would
 * clear after min(purchase + 12 h, end − 35 min) (reference §2.3).
 */
export function extensionPayment(purchaseMs: number, currentEndMs: number, forceFailure: boolean, config: RuleConfig): Payment {
  const deadline = Math.min(purchaseMs + config.paymentMaxMs, currentEndMs - config.extensionPaymentEndMarginMs);
  return settle(purchaseMs, purchaseMs + config.paymentDelayMs, deadline, forceFailure);
}

/** A new block's payment must clear within 12 h and at least 5 min before its start (reference §2.2). */
export function blockPayment(purchaseMs: number, startMs: number, forceFailure: boolean, config: RuleConfig): Payment {
  const deadline = Math.min(purchaseMs + config.paymentMaxMs, startMs - config.blockPaymentStartMarginMs);
  return settle(purchaseMs, purchaseMs + config.paymentDelayMs, deadline, forceFailure);
}

function settle(purchaseMs: number, clearsAtMs: number, deadlineMs: number, forceFailure: boolean): Payment {
  if (clearsAtMs > deadlineMs) return { resolvesAtMs: Math.max(deadlineMs, purchaseMs), outcome: "failed" };
  return { resolvesAtMs: clearsAtMs, outcome: forceFailure ? "failed" : "succeeded" };
}
