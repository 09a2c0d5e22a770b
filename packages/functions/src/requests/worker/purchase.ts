import {
  type CapacityRequest,
  classifyPurchaseFailure,
  purchaseAmbiguous,
  purchaseRecorded,
  purchaseRefused,
  type RankedOffering,
  type RequestAuthorization,
  type RequestIntent,
  tagsByTheRules,
  withRequestIntent,
} from "@cbm/core";
import { REQUEST_TAG_KEY, type StepContext } from "./context";
import { followPurchase } from "./settle";

/**
 * Buys `offering` for the request under `authorization`, with the money protocol of extensions (core's
 * request-lifecycle.ts holds the transitions; this carries them out):
 * 1. the intent is written first, conditional on the version read (overlapping workers: one wins, the other gets
 *    VersionConflictError and does nothing);
 * 2. PurchaseCapacityBlock is called once (SDK retries off), tagged `cbm:intent=<intent id>`;
 * 3. success is recorded; a certain refusal clears the intent; anything else, whatever the error, is ambiguous
 *    (core's classifyPurchaseFailure) and leaves the intent for settleIntent, which finds the tagged reservation
 *    instead of buying again.
 */
export async function purchase(
  ctx: StepContext,
  req: CapacityRequest,
  offering: RankedOffering,
  authorization: RequestAuthorization,
): Promise<CapacityRequest> {
  const at = ctx.now.toISOString();
  const { pricePerInstanceHour: _price, ...quoted } = offering;
  const intent: RequestIntent = {
    id: ctx.ids.next(),
    offering: quoted,
    authorization,
    createdAt: at,
    callSettledAt: new Date(ctx.wallNow() + ctx.callSettleMs).toISOString(),
  };
  const withIntent = await ctx.requests.update(withRequestIntent(req, intent, at), req.version);

  let bought;
  try {
    // `cbm:request` names the request on the reservation too, so EC2 alone can tell which request bought what.
    bought = await ctx.market.purchase(offering.region, offering.offeringId, {
      intentId: intent.id,
      platform: req.platform,
      // Only tags that fit EC2's rules: a request stored before CBM checked them may hold others.
      tags: { ...tagsByTheRules(req.tags), [REQUEST_TAG_KEY]: req.id },
    });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    // Refused at the door (offering gone, limits, throttled): nothing was bought, so the intent can go. Anything
    // else may have bought: the intent stays and only its tag can tell. Never retried here.
    const next =
      classifyPurchaseFailure(err) === "ambiguous" ? purchaseAmbiguous(withIntent, message, at) : purchaseRefused(withIntent, message, at);
    return ctx.requests.update(next, withIntent.version);
  }
  const recorded = await ctx.requests.update(purchaseRecorded(withIntent, bought.reservation, at), withIntent.version);
  return followPurchase(ctx, recorded);
}
