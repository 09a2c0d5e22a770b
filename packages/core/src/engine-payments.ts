import type { Block, PurchaseIntent } from "./block";
import type { Decision } from "./decision";
import type { ExtensionRecord, ReservationView } from "./ec2-view";
import type { EngineSettings } from "./engine-types";
import { PAYMENT_POLL_MS } from "./engine-timing";
import { callMayStillLand } from "./purchase-outcome";
import { isoAt, toMs } from "./time";

/*
 * The engine's decisions about money already on its way (engine.ts calls them): an intent whose purchase call may
 * have reached EC2, and an extension EC2 is still collecting the payment for.
 */

/** Settles an unfinished purchase from EC2's history and end date, or waits while its outcome may still change. */
export function settleIntent(
  intent: PurchaseIntent,
  r: ReservationView | undefined,
  history: ExtensionRecord[],
  nowMs: number,
  wallNowMs: number,
  settings: EngineSettings,
): Decision {
  // EC2's history is the source of truth: our offering there means EC2 took the order (whatever its payment status).
  const extension = history.find((h) => h.offeringId === intent.offeringId);
  if (extension) return { kind: "settle-intent", intent, outcome: "purchased", extension };
  const windowEndMs = toMs(intent.window);
  if (intent.confirmedAt !== undefined) {
    // EC2 answered the purchase with success: never conclude otherwise while its history may still be catching
    // up; only once the intent's window has passed without any trace is it taken as not bought.
    if (nowMs < windowEndMs + settings.settleGraceMs) {
      return { kind: "wait", until: isoAt(Math.min(nowMs + PAYMENT_POLL_MS, windowEndMs + settings.settleGraceMs)), reason: "settling" };
    }
    return { kind: "settle-intent", intent, outcome: "not-purchased" };
  }
  // The end moved past the intent's window without our offering in the history: that window is gone, and with
  // it any chance of buying in it; the intent is settled without a purchase by us.
  if (r && toMs(r.endDate) > windowEndMs) return { kind: "settle-intent", intent, outcome: "not-purchased" };
  // History can lag a fresh purchase by a little: do not conclude "never reached EC2" too early.
  const graceEnd = toMs(intent.createdAt) + settings.settleGraceMs;
  if (nowMs < graceEnd) return { kind: "wait", until: isoAt(graceEnd), reason: "settling" };
  // The call may still be in flight (its timeout runs on wall time, which a virtual Clock outruns): wait it out.
  if (intent.callSettledAt !== undefined && callMayStillLand(intent.callSettledAt, wallNowMs)) {
    const remainingMs = toMs(intent.callSettledAt) - wallNowMs;
    return { kind: "wait", until: isoAt(nowMs + Math.min(PAYMENT_POLL_MS, Math.max(remainingMs, 1_000))), reason: "settling" };
  }
  return { kind: "settle-intent", intent, outcome: "not-purchased" };
}

/** Watches an extension in payment-pending: polls it, and alerts once when its payment is still pending near the end. */
export function awaitPayment(block: Block, window: string, extension: ExtensionRecord, nowMs: number, settings: EngineSettings): Decision {
  const alertMs = toMs(window) - settings.paymentAlertBeforeMs;
  const tracked = block.pendingExtension?.offeringId === extension.offeringId ? block.pendingExtension : undefined;
  // One alert per extension: the scheduler records alertedAt (see markPaymentAlerted) when it sends it.
  const alert = nowMs >= alertMs && tracked?.alertedAt == null;
  const next = alertMs > nowMs ? Math.min(nowMs + PAYMENT_POLL_MS, alertMs) : nowMs + PAYMENT_POLL_MS;
  return { kind: "await-payment", window, extension, alert, nextCheckAt: isoAt(next) };
}
