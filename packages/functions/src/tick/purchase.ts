import {
  type Block,
  type Decision,
  type EventSpec,
  type ExtensionRecord,
  type PurchaseIntent,
  VersionConflictError,
  classifyPurchaseFailure,
  countBought,
  covers,
  autoApprovedEvent,
  purchaseAmbiguousEvent,
  purchaseIntentEvent,
  purchaseRejectedEvent,
  purchasedEvent,
  intentFor,
  recordPurchased,
  withFailure,
  withIntent,
} from "@cbm/core";
import { asHistory, type Pending, type Run, sendNotices, type TickContext, writeBlock } from "./context";
import { blockFields, describeError, failureOf } from "./log-fields";
import { purchasedNotification } from "./notifications";

/** Tries to record our own purchase's outcome again after a conflict, as long as our intent is still the one stored. */
const SETTLE_ATTEMPTS = 4;

type PurchaseDecision = Extract<Decision, { kind: "purchase" }>;

/**
 * THE purchase protocol. (1) Check the authorization covers exactly this purchase. (2) Win the conditional intent
 * write (or stop: someone else is on it; nothing is bought). (3) Call EC2 once, without SDK retries. (4) Record the
 * outcome: bought → pending payment; rejected → intent cleared; ambiguous → intent kept, settled from EC2's history
 * by a later tick before anything else is bought.
 */
export async function purchase(ctx: TickContext, run: Run, base: Block, decision: PurchaseDecision, pre: Pending): Promise<void> {
  const intent = await writeIntent(ctx, run, base, decision, pre);
  run.report.purchaseAttempts++;
  let extension: ExtensionRecord;
  try {
    extension = await run.ec2.purchaseExtension(base.region, base.capacityReservationId, intent.offeringId);
  } catch (err) {
    // One classification for every purchase (core's classifyPurchaseFailure): refused at the door, or ambiguous.
    if (classifyPurchaseFailure(err) === "ambiguous") await afterAmbiguous(ctx, run, intent, err);
    else await afterRejected(ctx, run, intent, err);
    return;
  }
  await afterBought(ctx, run, intent, extension, decision.window);
}

/** Steps 1 and 2: the guard before money moves, then the intent that only one writer can win. */
async function writeIntent(ctx: TickContext, run: Run, base: Block, decision: PurchaseDecision, pre: Pending): Promise<PurchaseIntent> {
  if (base.intent) throw new Error(`invariant: purchase decided for ${base.PK} while intent ${base.intent.id} is unsettled`);
  const coverage = covers(decision.authorization.terms, base, decision.window, decision.offering);
  if (!coverage.covered)
    throw new Error(`invariant: purchase for ${base.PK} is outside its ${decision.authorization.kind} authorization: ${coverage.reason}`);
  const now = ctx.clock.now();
  // Until the call's timeout plus the settle grace has passed in wall time, the order may still reach EC2.
  const callSettledAt = new Date(ctx.callClock() + ctx.purchaseTimeoutMs + ctx.settings.settleGraceMs).toISOString();
  const intent = intentFor(decision, ctx.ids.next(), now, callSettledAt);
  const events: EventSpec[] = [...pre.events];
  if (decision.approval === "auto-approved") {
    ctx.logger.warn("approved automatically: no approver can be reached (no notification topic configured)", {
      ...blockFields(base),
      window: decision.window,
    });
    events.push(autoApprovedEvent(decision.window, decision.offering));
  }
  events.push(purchaseIntentEvent(intent, decision));
  // nextCheckAt = now: if this process dies after the purchase, the next tick settles the intent.
  await writeBlock(ctx, run, { ...withIntent(base, intent, now), nextCheckAt: now.toISOString() }, events); // VersionConflictError: nothing is bought.
  await sendNotices(ctx, run, pre.notifications);
  return intent;
}

async function afterBought(ctx: TickContext, run: Run, intent: PurchaseIntent, extension: ExtensionRecord, window: string): Promise<void> {
  const now = ctx.clock.now();
  run.report.purchases++;
  ctx.logger.info("extension purchased", {
    ...blockFields(run.stored),
    window,
    offeringId: extension.offeringId,
    fee: extension.upfrontFee,
    currency: extension.currencyCode,
    status: extension.status,
  });
  const ok = await updateOwnIntent(ctx, run, intent, (b) => recordPurchased(b, extension, now), [purchasedEvent(extension, intent.id)]);
  if (!ok) return;
  // Counted where the purchase is recorded: when this write fails, the tick that settles it from EC2's history
  // counts it, so each extension is in `bought` and `spend` (the Spend metric) exactly once.
  countBought(run.report, extension);
  await sendNotices(ctx, run, [purchasedNotification(run.stored, run.stored.pendingExtension!, now, intent.authorization)]);
}

async function afterRejected(ctx: TickContext, run: Run, intent: PurchaseIntent, err: unknown): Promise<void> {
  const failure = failureOf(err);
  if (failure.throttled) run.report.throttled++;
  else run.report.errors++;
  ctx.logger.warn("purchase rejected by EC2; nothing was bought", {
    ...blockFields(run.stored),
    window: intent.window,
    offeringId: intent.offeringId,
    error: describeError(err),
  });
  const reason = `purchase of ${intent.offeringId} ${failure.throttled ? "throttled" : "rejected"}: ${failure.message}`;
  await updateOwnIntent(ctx, run, intent, (b) => withFailure({ ...b, intent: null }, failure, ctx.clock.now(), ctx.settings, reason), [
    purchaseRejectedEvent(intent, failure),
  ]);
}

async function afterAmbiguous(ctx: TickContext, run: Run, intent: PurchaseIntent, err: unknown): Promise<void> {
  const now = ctx.clock.now();
  const failure = failureOf(err);
  run.report.errors++;
  ctx.logger.error("purchase outcome unknown; the intent stays until EC2's history settles it", {
    ...blockFields(run.stored),
    window: intent.window,
    offeringId: intent.offeringId,
    error: describeError(err),
  });
  await updateOwnIntent(
    ctx,
    run,
    intent,
    (b) => ({
      ...b,
      status: "purchasing",
      statusReason: `purchase of ${intent.offeringId} has an unknown outcome; settling from EC2's history`,
      lastError: { code: failure.code, message: failure.message, at: now.toISOString() },
      nextCheckAt: now.toISOString(),
    }),
    [purchaseAmbiguousEvent(intent, failure)],
  );
}

/**
 * Writes the outcome of our own purchase. A conflict (a person edited the block meanwhile) is retried on a fresh
 * read as long as our intent is still stored; if it is gone, another tick settled it from EC2's history already.
 * Any other failure leaves the intent in place for the next tick to settle; that is the protocol, not an error.
 */
async function updateOwnIntent(
  ctx: TickContext,
  run: Run,
  intent: PurchaseIntent,
  apply: (b: Block) => Block,
  events: EventSpec[],
): Promise<boolean> {
  for (let attempt = 1; attempt <= SETTLE_ATTEMPTS; attempt++) {
    if (run.stored.intent?.id !== intent.id) {
      ctx.logger.info("intent already settled elsewhere", { ...blockFields(run.stored), intentId: intent.id });
      return false;
    }
    try {
      await writeBlock(ctx, run, apply(run.stored), events);
      return true;
    } catch (err) {
      if (!(err instanceof VersionConflictError)) {
        ctx.logger.error("could not record the purchase outcome; the next tick settles it from EC2", {
          ...blockFields(run.stored),
          intentId: intent.id,
          error: describeError(err),
        });
        run.report.errors++;
        // Keep the audit trail of what EC2 answered even though the record could not be updated.
        await ctx.history.append(asHistory(ctx, run.stored.PK, events, ctx.clock.now().toISOString())).catch(() => undefined);
        return false;
      }
      run.report.conflicts++;
      const fresh = await ctx.store.get(run.stored.PK).catch(() => undefined);
      if (!fresh) return false;
      run.stored = fresh;
    }
  }
  return false;
}
