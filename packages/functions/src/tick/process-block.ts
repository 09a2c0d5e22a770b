import { type ExtensionOffering, type ExtensionRecord, LADDER_DAYS, type ReservationView, decide, reconcile } from "@cbm/core";
import { awaitPayment, requestApproval, settleIntent, waitOrStop } from "./carry-out";
import { claimReservation } from "./claim";
import type { Pending, Run, TickContext } from "./context";
import { blockFields, decisionFields } from "./log-fields";
import { purchase } from "./purchase";

/** The engine asks for one more duration each round, never more than the ladder has: more rounds is a bug. */
const MAX_OFFERING_ROUNDS = LADDER_DAYS.length;

/**
 * One block in one tick: copy EC2's truth into the record (reconcile), let the engine decide, fetching offerings
 * lazily when it asks (the preferred duration first, shorter ones only if it asks again), and carry the decision out.
 */
export async function processBlock(
  ctx: TickContext,
  run: Run,
  described: ReservationView | undefined,
  history: ExtensionRecord[],
): Promise<void> {
  // Before anything else: this stage buys only for reservations tagged for it (claim.ts).
  const { reservation, events: claimed } = await claimReservation(ctx, run, described);
  const now = ctx.clock.now();
  const rec = reconcile(run.stored, reservation, history, now);
  const base = rec.block;
  const pre: Pending = {
    events: [...claimed, ...rec.events.map((e) => ({ type: e.type, message: e.message, ...(e.data ? { data: e.data } : {}) }))],
    notifications: rec.notifications,
  };
  const failedPayments = rec.events.filter((e) => e.type === "payment-failed");
  for (const e of failedPayments) {
    ctx.logger.warn("extension payment failed", {
      ...blockFields(base),
      window: e.data?.window,
      offeringId: e.data?.offeringId,
      fee: e.data?.upfrontFee,
      currency: e.data?.currencyCode,
    });
  }
  run.report.paymentFailures += failedPayments.length;

  const input = { block: base, reservation, history, now, wallNow: new Date(ctx.callClock()), settings: ctx.settings };
  let decision = decide(input);
  const offerings = new Map<number, ExtensionOffering[]>();
  for (let round = 1; decision.kind === "fetch-offerings"; round++) {
    const todo = decision.durationsHours.filter((h) => !offerings.has(h));
    if (todo.length === 0 || round > MAX_OFFERING_ROUNDS)
      throw new Error(`engine asked again for offerings it has (${decision.durationsHours.join(", ")} h)`);
    for (const hours of todo) {
      const list = await run.ec2.extensionOfferings(run.stored.region, run.stored.capacityReservationId, hours);
      offerings.set(hours, list);
      if (list.length > 0) break;
    }
    decision = decide({ ...input, offerings });
  }
  run.report.decisions[decision.kind] = (run.report.decisions[decision.kind] ?? 0) + 1;
  if (decision.kind === "request-approval" || (decision.kind === "wait" && decision.reason === "approval-pending"))
    run.report.approvalsPending++;
  ctx.logger.info("decision", { ...blockFields(base), ...decisionFields(decision) });

  switch (decision.kind) {
    case "purchase":
      return purchase(ctx, run, base, decision, pre);
    case "request-approval":
      return requestApproval(ctx, run, base, decision, pre, now);
    case "settle-intent":
      return settleIntent(ctx, run, base, decision, pre, now);
    case "await-payment":
      return awaitPayment(ctx, run, base, decision, pre, now);
    case "wait":
    case "stop":
      return waitOrStop(ctx, run, base, decision, pre, now);
  }
}
