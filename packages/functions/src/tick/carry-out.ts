import {
  type Block,
  type Decision,
  type EventSpec,
  countBought,
  failuresAfter,
  approvalRequestedEvent,
  approvalVoidedEvent,
  intentSettledBoughtEvent,
  intentSettledNotBoughtEvent,
  paymentPendingAlertEvent,
  purchasedEvent,
  statusChangedEvent,
  markPaymentAlerted,
  nextCheckAfter,
  recordApprovalRequest,
  recordNotPurchased,
  recordPurchased,
  statusFor,
  stopNotifies,
  withFailure,
} from "@cbm/core";
import { type Pending, type Run, sendNotices, type TickContext, writeBlock } from "./context";
import { blockFields, describeError, failureOf } from "./log-fields";
import { approvalNotification, paymentPendingAlert, purchasedNotification, stopNotification } from "./notifications";

/*
 * Carrying out every decision but the purchase (purchase.ts): each writes the block once, conditionally, with its
 * history events, and sends its notices after the write, so a tick that lost the write sends nothing.
 */

/** The status, reason, next check and failure counter a decision leaves the block in. */
function settled(base: Block, decision: Decision, now: Date, previousFailures: number | undefined): Block {
  const { status, reason } = statusFor(decision);
  return {
    ...base,
    status,
    statusReason: reason,
    nextCheckAt: nextCheckAfter(decision, now),
    failures: failuresAfter(decision, previousFailures),
  };
}

export async function waitOrStop(
  ctx: TickContext,
  run: Run,
  base: Block,
  decision: Extract<Decision, { kind: "wait" | "stop" }>,
  pre: Pending,
  now: Date,
): Promise<void> {
  const next = settled(base, decision, now, run.stored.failures);
  const events = [...pre.events];
  const notes = [...pre.notifications];
  const statusChanged = next.status !== run.stored.status;
  if (statusChanged) events.push(statusChangedEvent(run.stored, next));
  // One notice per stop that needs people, when the block enters it (a payment failure already has its own).
  if (decision.kind === "stop" && statusChanged && stopNotifies(decision.reason) && !notes.some((n) => n.kind === "payment-failed")) {
    notes.push(stopNotification(next, decision.reason, decision.detail, next.endDate ?? undefined, now, ctx.textOpts));
  }
  await writeBlock(ctx, run, next, events);
  await sendNotices(ctx, run, notes);
}

export async function awaitPayment(
  ctx: TickContext,
  run: Run,
  base: Block,
  decision: Extract<Decision, { kind: "await-payment" }>,
  pre: Pending,
  now: Date,
): Promise<void> {
  let next = settled(base, decision, now, run.stored.failures);
  const events = [...pre.events];
  const notes = [...pre.notifications];
  if (decision.alert) {
    next = markPaymentAlerted(next, decision.extension, now);
    events.push(paymentPendingAlertEvent(decision.extension, decision.window));
    notes.push(paymentPendingAlert(next, decision.extension, decision.window, now));
  }
  await writeBlock(ctx, run, next, events);
  await sendNotices(ctx, run, notes);
}

export async function requestApproval(
  ctx: TickContext,
  run: Run,
  base: Block,
  decision: Extract<Decision, { kind: "request-approval" }>,
  pre: Pending,
  now: Date,
): Promise<void> {
  const next = recordApprovalRequest(settled(base, decision, now, run.stored.failures), decision, now);
  const count = next.approvalRequest!.count;
  const events: EventSpec[] = [...pre.events];
  // History says why the approval no longer covers the purchase; the notice below says what changed.
  if (decision.voided !== undefined) events.push(approvalVoidedEvent(base.approval, decision.voided));
  events.push(approvalRequestedEvent(decision, count));
  // Record first, send second: if another tick won this write it also sends, and we must not send a second copy.
  const before = run.stored;
  await writeBlock(ctx, run, next, events);
  const link = await approvalLink(ctx, next, decision);
  try {
    await ctx.notifier.send(
      approvalNotification(
        next,
        decision.window,
        decision.offering,
        decision.notice,
        count,
        now,
        { ...ctx.textOpts, ...(link ? { link } : {}) },
        decision.voided,
      ),
    );
    run.report.notifications++;
  } catch (err) {
    // Undo the bookkeeping so the notice goes out again after a backoff instead of at the next reminder.
    ctx.logger.error("approval notice failed; retrying after backoff", { ...blockFields(next), error: describeError(err) });
    const failed = withFailure(run.stored, failureOf(err), now, ctx.settings);
    await writeBlock(
      ctx,
      run,
      { ...failed, status: run.stored.status, statusReason: run.stored.statusReason, approvalRequest: before.approvalRequest ?? null },
      [],
    ).catch(() => undefined);
    run.report.errors++;
    return;
  }
  await sendNotices(ctx, run, pre.notifications);
}

/** The notice's approval link; failing to make one (the link key unreadable) must not hold the notice back. */
async function approvalLink(
  ctx: TickContext,
  b: Block,
  decision: Extract<Decision, { kind: "request-approval" }>,
): Promise<string | undefined> {
  if (!ctx.approvalLinks) return undefined;
  try {
    return await ctx.approvalLinks.linkFor({ subject: "block", block: b, window: decision.window, offering: decision.offering });
  } catch (err) {
    ctx.logger.error("approval link could not be made; the notice goes out without it", { ...blockFields(b), error: describeError(err) });
    return undefined;
  }
}

export async function settleIntent(
  ctx: TickContext,
  run: Run,
  base: Block,
  decision: Extract<Decision, { kind: "settle-intent" }>,
  pre: Pending,
  now: Date,
): Promise<void> {
  if (decision.outcome === "purchased") {
    const ext = decision.extension;
    await writeBlock(ctx, run, recordPurchased(base, ext, now), [
      ...pre.events,
      intentSettledBoughtEvent(decision.intent, ext),
      purchasedEvent(ext, decision.intent.id, true),
    ]);
    countBought(run.report, ext);
    await sendNotices(ctx, run, [
      ...pre.notifications,
      purchasedNotification(run.stored, run.stored.pendingExtension!, now, decision.intent.authorization),
    ]);
    return;
  }
  await writeBlock(ctx, run, settled(recordNotPurchased(base, now), decision, now, run.stored.failures), [
    ...pre.events,
    intentSettledNotBoughtEvent(decision.intent),
  ]);
  await sendNotices(ctx, run, pre.notifications);
}

/** Throttling and errors back off per block with exponential delay; the record (and any intent) is otherwise kept. */
export async function recordFailure(ctx: TickContext, run: Run, err: unknown): Promise<void> {
  const failure = failureOf(err);
  if (failure.throttled) run.report.throttled++;
  else run.report.errors++;
  const log = failure.throttled ? ctx.logger.warn : ctx.logger.error;
  log(failure.throttled ? "throttled by EC2; backing off" : "block failed; backing off", {
    ...blockFields(run.stored),
    error: describeError(err),
  });
  try {
    await writeBlock(ctx, run, withFailure(run.stored, failure, ctx.clock.now(), ctx.settings), []);
  } catch (writeErr) {
    ctx.logger.error("could not record the failure", { ...blockFields(run.stored), error: describeError(writeErr) });
  }
}
