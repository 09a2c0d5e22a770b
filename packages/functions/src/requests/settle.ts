import { autoApprovalLines, BlockTags, type CapacityRequest, type RequestIntent, type ReservationView, remainingBudget } from "@cbm/core";
import { MINUTE, minutesFrom, noticePk, type StepContext } from "./context";

/**
 * Records what EC2 bought for the intent (found by its tag, or returned by the call) and clears the intent. From
 * here on the request can never buy again: `purchase` is set for good.
 */
export async function recordPurchase(
  ctx: StepContext,
  req: CapacityRequest,
  intent: RequestIntent,
  r: ReservationView,
): Promise<CapacityRequest> {
  const o = intent.offering;
  const next: CapacityRequest = {
    ...req,
    intent: null,
    // The approval is consumed by the purchase it allowed.
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
      purchasedAt: ctx.now.toISOString(),
      state: r.state,
      authorization: intent.authorization,
    },
    status: "payment-pending",
    statusReason: `Bought ${r.capacityReservationId} for ${o.upfrontFee} ${o.currencyCode}; EC2 is collecting the payment`,
    updatedAt: ctx.now.toISOString(),
    nextCheckAt: ctx.now.toISOString(),
    failures: 0,
  };
  return ctx.requests.update(next, req.version);
}

/**
 * An intent whose outcome is unknown (timeout, 5xx, crash): settled only from EC2, by the intent's tag. Found: it
 * was bought. Not found once the call can no longer land (`callSettledAt`, wall clock): it was not, and the request
 * searches again. Never bought again before that.
 */
export async function settleIntent(ctx: StepContext, req: CapacityRequest, intent: RequestIntent): Promise<CapacityRequest> {
  const tagged = await ctx.market.findTagged(intent.offering.region, intent.id);
  if (tagged.length > 0) return recordPurchase(ctx, req, intent, tagged[0]!);
  if (ctx.wallNow() < Date.parse(intent.callSettledAt)) {
    return ctx.requests.update(
      {
        ...req,
        statusReason: "Purchase outcome unknown; settling from EC2 by the purchase's tag",
        updatedAt: ctx.now.toISOString(),
        nextCheckAt: minutesFrom(ctx.now, 1),
      },
      req.version,
    );
  }
  return ctx.requests.update(
    {
      ...req,
      intent: null,
      status: "searching",
      statusReason: `The purchase of ${intent.offering.offeringId} did not happen (no reservation carries its tag); searching again`,
      updatedAt: ctx.now.toISOString(),
      nextCheckAt: ctx.now.toISOString(),
    },
    req.version,
  );
}

/** The block's policy once registered: the request's, with the budget the request leaves for extensions. */
function blockPolicy(req: CapacityRequest, fee: string): Record<string, unknown> {
  const budget = remainingBudget(req, fee);
  return { ...req.blockPolicy, currency: req.limits.currency, ...(budget !== undefined ? { budget } : {}) };
}

/** Follows the bought block's payment; once paid, registers it as a managed block (idempotently) and finishes. */
export async function followPurchase(ctx: StepContext, req: CapacityRequest): Promise<CapacityRequest> {
  const p = req.purchase!;
  const found = (await ctx.market.findTagged(p.region, p.intentId)).find((r) => r.capacityReservationId === p.capacityReservationId);
  const state = found?.state ?? p.state;
  const at = ctx.now.toISOString();
  if (state === "payment-failed") {
    await ctx.notifier.send({
      key: `REQ#${req.id}#payment-failed`,
      kind: "payment-failed",
      pk: noticePk(req),
      subject: `Capacity request ${req.name ?? req.id}: payment failed`,
      body: `EC2 could not collect ${p.upfrontFee} ${p.currency} for ${p.capacityReservationId}; nothing else is bought for this request. Open a new request to try again.`,
      at,
    });
    return ctx.requests.update(
      {
        ...req,
        purchase: { ...p, state },
        status: "payment-failed",
        statusReason: "EC2 could not collect the payment; nothing else is bought for this request",
        updatedAt: at,
        nextCheckAt: null,
      },
      req.version,
    );
  }
  if (state !== "scheduled" && state !== "active" && state !== "expired") {
    return ctx.requests.update(
      {
        ...req,
        purchase: { ...p, state },
        statusReason: `Bought ${p.capacityReservationId}; payment ${state}`,
        updatedAt: at,
        nextCheckAt: minutesFrom(ctx.now, 1),
      },
      req.version,
    );
  }
  const pk =
    req.registeredPk ??
    (await ctx.registerBlock({
      pk: req.blockPk ?? p.capacityReservationId,
      capacityReservationId: p.capacityReservationId,
      region: p.region,
      ...(req.name ? { name: req.name } : {}),
      ...blockTags(req),
      policy: blockPolicy(req, p.upfrontFee),
      actor: `request:${req.id}`,
    }));
  // Bought without asking anyone: the notice must not read as a person's decision.
  const autoNote = autoApprovalLines(p.authorization)
    .map((line) => `\n${line}`)
    .join("");
  await ctx.notifier.send({
    key: `REQ#${req.id}#fulfilled`,
    kind: "purchased",
    pk: noticePk(req),
    subject: `Capacity request ${req.name ?? req.id}: block ${p.capacityReservationId} bought`,
    body: `Bought ${req.wanted.instanceCount} × ${req.wanted.instanceType} in ${p.availabilityZone} from ${p.startDate} to ${p.endDate} for ${p.upfrontFee} ${p.currency}. It is managed as '${pk}'.${autoNote}`,
    at,
  });
  return ctx.requests.update(
    {
      ...req,
      purchase: { ...p, state },
      registeredPk: pk,
      status: "fulfilled",
      statusReason: `Bought and managed as '${pk}'`,
      updatedAt: at,
      nextCheckAt: null,
    },
    req.version,
  );
}

/**
 * The request's tags for its block, when they fit a block's tag rules: requests stored before the rules matched may
 * carry others, and a bought block must be registered whatever its labels.
 */
function blockTags(req: CapacityRequest): { tags?: BlockTags } {
  const parsed = BlockTags.safeParse(req.tags ?? {});
  return parsed.success && Object.keys(parsed.data).length > 0 ? { tags: parsed.data } : {};
}

/** How long to wait before searching again after `failures` consecutive empty or failed searches (capped at 1 h). */
export function searchBackoffMs(baseMs: number, failures: number): number {
  return Math.min(baseMs * 2 ** Math.min(failures, 6), 60 * MINUTE);
}
