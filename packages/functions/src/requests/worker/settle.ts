import {
  autoApprovalLines,
  BlockTags,
  boughtBlockBudget,
  type CapacityRequest,
  intentNotBought,
  intentStillUnsettled,
  needsSuccessorCount,
  paymentFailed,
  paymentProgress,
  paymentStillPending,
  purchaseRecorded,
  remainingBudget,
  type RequestIntent,
  requestFulfilled,
  settleRequestIntent,
} from "@cbm/core";
import { MINUTE, noticePk, type StepContext } from "./context";
import { countSuccessorSpend } from "./successor-count";

/**
 * An intent whose outcome is unknown (timeout, 5xx, crash): settled only from EC2, by the intent's tag. Found: it
 * was bought. Not found once the call can no longer land (`callSettledAt`, wall clock): it was not, and the request
 * searches again. Never bought again before that.
 */
export async function settleIntent(ctx: StepContext, req: CapacityRequest, intent: RequestIntent): Promise<CapacityRequest> {
  const at = ctx.now.toISOString();
  const tagged = await ctx.market.findTagged(intent.offering.region, intent.id);
  const settlement = settleRequestIntent(intent, tagged, ctx.wallNow());
  if (settlement.kind === "wait") return ctx.requests.update(intentStillUnsettled(req, at), req.version);
  if (settlement.kind === "not-bought") return ctx.requests.update(intentNotBought(req, at), req.version);
  const recorded = await ctx.requests.update(purchaseRecorded(req, settlement.reservation, at), req.version);
  return followPurchase(ctx, recorded);
}

/**
 * The block's policy once registered: the request's, with a budget of the block's fee plus what the request leaves
 * for extensions. Why the fee is in it: the block counts its own purchase in `spent` (a finance person reading it
 * must see what it cost), and `spent` is what the budget is checked against: a budget of only what is left would
 * take the fee off twice (extensions could spend what is left minus the fee) and read as exceeded from the start.
 * What extensions may spend (budget − spent) stays what the request's budget leaves.
 */
function blockPolicy(req: CapacityRequest, fee: string): Record<string, unknown> {
  const budget = boughtBlockBudget(fee, remainingBudget(req, fee));
  return { ...req.blockPolicy, currency: req.limits.currency, ...(budget !== undefined ? { budget } : {}) };
}

/**
 * Follows the bought block's payment; once paid, registers it as a managed block (idempotently) and finishes. A
 * successor's fee is counted in its predecessor's budget first, as soon as it is bought.
 */
export async function followPurchase(ctx: StepContext, bought: CapacityRequest): Promise<CapacityRequest> {
  const req = needsSuccessorCount(bought) ? (await countSuccessorSpend(ctx, bought)).req : bought;
  const p = req.purchase!;
  const found = (await ctx.market.findTagged(p.region, p.intentId)).find((r) => r.capacityReservationId === p.capacityReservationId);
  const state = found?.state ?? p.state;
  const at = ctx.now.toISOString();
  const progress = paymentProgress(state);
  if (progress === "failed") {
    await ctx.notifier.send({
      key: `REQ#${req.id}#payment-failed`,
      kind: "payment-failed",
      pk: noticePk(req),
      subject: `Capacity request ${req.name ?? req.id}: payment failed`,
      body: `EC2 could not collect ${p.upfrontFee} ${p.currency} for ${p.capacityReservationId}; nothing else is bought for this request. Open a new request to try again.`,
      at,
    });
    return ctx.requests.update(paymentFailed(req, state, at), req.version);
  }
  if (progress === "pending") return ctx.requests.update(paymentStillPending(req, state, at), req.version);
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
      bought: { requestId: req.id, upfrontFee: p.upfrontFee, currency: p.currency },
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
  const fulfilled = requestFulfilled(req, state, pk, at);
  // A successor whose predecessor nobody manages right now stays due, so its fee is counted once one does.
  const keepDue = needsSuccessorCount(fulfilled) ? { nextCheckAt: new Date(ctx.now.getTime() + 10 * MINUTE).toISOString() } : {};
  return ctx.requests.update({ ...fulfilled, ...keepDue }, req.version);
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
