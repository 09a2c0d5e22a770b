import { RejectedError, ThrottledError } from "./errors";
import { toMs } from "./time";

/**
 * How a purchase call that did not answer with success ended, for every kind of capacity (extension, new block,
 * successor): `rejected` and `throttled` mean EC2 certainly did nothing, so the intent can go; anything else (a
 * timeout, a 5xx, a dropped connection, an error nobody classified) may have bought, so it is `ambiguous` and the
 * intent stays until EC2's own record settles it. Unknown is never taken as "not bought".
 */
export type PurchaseCallFailure = "rejected" | "throttled" | "ambiguous";

/** The one classification of a purchase call's error (see PurchaseCallFailure). */
export function classifyPurchaseFailure(err: unknown): PurchaseCallFailure {
  if (err instanceof ThrottledError) return "throttled";
  if (err instanceof RejectedError) return "rejected";
  return "ambiguous";
}

/**
 * Whether a purchase call begun for an intent may still reach EC2 at wall-clock `wallNowMs`: until `callSettledAt`
 * (the call's timeout plus a margin, in wall time) an intent EC2 shows no trace of is still unsettled, never "not
 * bought". Intents from before `callSettledAt` existed carry none; their caller decides by other means.
 */
export function callMayStillLand(callSettledAt: string | undefined, wallNowMs: number): boolean {
  return callSettledAt !== undefined && wallNowMs < toMs(callSettledAt);
}
