import {
  AmbiguousOutcomeError,
  type CapacityRequest,
  InfrastructureError,
  type RankedOffering,
  RejectedError,
  type RequestAuthorization,
  ThrottledError,
  type RequestIntent,
  tagsByTheRules,
} from "@cbm/core";
import { minutesFrom, REQUEST_TAG_KEY, type StepContext } from "./context";
import { followPurchase, recordPurchase } from "./settle";

/**
 * Buys `offering` for the request under `authorization`, with the money protocol of extensions:
 * 1. the intent is written first, conditional on the version read (overlapping workers: one wins, the other gets
 *    VersionConflictError and does nothing);
 * 2. PurchaseCapacityBlock is called once (SDK retries off), tagged `cbm:intent=<intent id>`;
 * 3. success is recorded; a certain refusal clears the intent; anything ambiguous leaves the intent for
 *    settleIntent, which finds the tagged reservation instead of buying again.
 */
export async function purchase(
  ctx: StepContext,
  req: CapacityRequest,
  offering: RankedOffering,
  authorization: RequestAuthorization,
): Promise<CapacityRequest> {
  if (req.intent || req.purchase) throw new Error(`invariant: request ${req.id} already has an intent or a purchase`);
  const { pricePerInstanceHour: _price, ...quoted } = offering;
  const intent: RequestIntent = {
    id: ctx.ids.next(),
    offering: quoted,
    authorization,
    createdAt: ctx.now.toISOString(),
    callSettledAt: new Date(ctx.wallNow() + ctx.callSettleMs).toISOString(),
  };
  const withIntent = await ctx.requests.update(
    {
      ...req,
      intent,
      status: "purchasing",
      statusReason: `Buying ${offering.offeringId} for ${offering.upfrontFee} ${offering.currencyCode}`,
      updatedAt: ctx.now.toISOString(),
      nextCheckAt: minutesFrom(ctx.now, 1),
    },
    req.version,
  );
  await ctx.hooks.afterIntent?.(withIntent);

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
    if (err instanceof RejectedError || err instanceof ThrottledError) {
      // EC2 refused at the door (offering gone, limits, throttled with a 4xx/503): nothing was bought, so the intent can go.
      return ctx.requests.update(
        {
          ...withIntent,
          intent: null,
          status: "searching",
          statusReason: `EC2 refused the purchase: ${err.message}`,
          updatedAt: ctx.now.toISOString(),
          nextCheckAt: ctx.now.toISOString(),
          failures: (req.failures ?? 0) + 1,
        },
        withIntent.version,
      );
    }
    if (err instanceof AmbiguousOutcomeError || err instanceof InfrastructureError) {
      // Maybe bought: the intent stays, and only its tag can tell. Never retried here.
      return ctx.requests.update(
        {
          ...withIntent,
          statusReason: `Purchase outcome unknown (${err.message}); settling from EC2 by the purchase's tag`,
          updatedAt: ctx.now.toISOString(),
        },
        withIntent.version,
      );
    }
    throw err;
  }
  await ctx.hooks.afterPurchase?.(withIntent);
  const recorded = await recordPurchase(ctx, withIntent, intent, bought.reservation);
  return followPurchase(ctx, recorded);
}
