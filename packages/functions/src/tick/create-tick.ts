import {
  type Authorization,
  type Block,
  type BlockStore,
  covers,
  addMoney,
  AT_RISK_HORIZON_MS,
  isAtRisk,
  type CapacityProvider,
  type Clock,
  DEFAULT_ENGINE_SETTINGS,
  type Decision,
  type DecisionKind,
  type EngineSettings,
  type ExtensionOffering,
  type ExtensionRecord,
  type HistoryEvent,
  type HistoryEventType,
  type HistoryStore,
  type Ids,
  InfrastructureError,
  type Notification,
  type Notifier,
  type PurchaseIntent,
  RejectedError,
  type ReservationView,
  ThrottledError,
  VersionConflictError,
  backoffUntil,
  decide,
  durationText,
  failuresAfter,
  intentFor,
  markPaymentAlerted,
  nextCheckAfter,
  reconcile,
  recordApprovalRequest,
  recordNotPurchased,
  recordPurchased,
  statusFor,
  withIntent,
} from "@cbm/core";
import { type Logger, silentLogger } from "../observability/logger";
import { approvalNotification, paymentPendingAlert, purchasedNotification, stopNotification } from "./notifications";
import { sameRecord } from "./same-record";

export interface TickSettings extends Partial<Omit<EngineSettings, "accountId">> {
  accountId: string;
}

export interface CreateTickOptions {
  store: BlockStore;
  history: HistoryStore;
  ec2: CapacityProvider;
  notifier: Notifier;
  clock: Clock;
  ids: Ids;
  /** Engine settings; `autoApprove` defaults to "no approver can be reached" (original README behaviour). */
  settings: TickSettings;
  logger?: Pick<Logger, "info" | "warn" | "error">;
  /** Blocks worked on at once. Default 8. */
  concurrency?: number;
  /** Due blocks read per page (and so per batch of describes). Default 250. */
  pageSize?: number;
  /** Wall-clock budget of a tick when `tick()` gets no deadline. Default 50 s. */
  deadlineMs?: number;
  /** Shown in notifications' curl examples. */
  apiUrl?: string;
  /** Wall clock for deadlines: real elapsed time, independent of the (possibly virtual) Clock port. */
  wallNow?: () => number;
  /**
   * The EC2 client's timeout for one purchase call (wall time). An intent is never settled "not bought" before this
   * plus the settle grace has passed in wall time, so a slow call cannot land after CBM concluded it never happened.
   * Default 10 s, the timeout handlers/tick.ts gives the EC2 client.
   */
  purchaseTimeoutMs?: number;
  /**
   * The clock a purchase call's timeout runs on: real time, whatever the Clock port says. Default `wallNow`. Tests
   * whose Clock stands for real time (as in AWS) pass one that moves with it; deadlines keep using `wallNow`.
   */
  callClock?: () => number;
  /**
   * How often (Clock time) a tick also reads every block to count those at risk (see core's isAtRisk); the first
   * tick always does. Default 5 min; 0 turns the sweep off. A block waiting for approval is not due for hours, so
   * the due blocks alone cannot tell.
   */
  atRiskEveryMs?: number;
}

export interface TickReport {
  /** Due blocks read from the index. */
  due: number;
  /** Blocks a decision was carried out for (or a failure recorded). */
  processed: number;
  /** Blocks left for a later tick: deadline reached, or another writer won the conditional write. */
  skipped: number;
  decisions: Partial<Record<DecisionKind, number>>;
  /** PurchaseCapacityBlockExtension calls made, and how many EC2 answered with success. */
  purchaseAttempts: number;
  purchases: number;
  errors: number;
  throttled: number;
  /** Conditional writes lost to another writer. */
  conflicts: number;
  /** Block writes made (a block with nothing new costs none). */
  writes: number;
  notifications: number;
  /**
   * Extensions recorded as bought in this tick: EC2 answered the purchase with success and the record was written,
   * or an earlier intent was settled from EC2's history as bought. Each extension is counted once, by one tick.
   */
  bought: number;
  /** Sum of the fees of `bought`, per currency, as decimal strings. */
  spend: Record<string, string>;
  /** Blocks whose approval is outstanding: a request (or reminder) sent, or a wait for the answer. */
  approvalsPending: number;
  /** Extensions EC2 reported as payment-failed in this tick (reconcile recorded the failure). */
  paymentFailures: number;
  /** EC2 calls that failed, and that were throttled. */
  ec2Errors: number;
  ec2Throttles: number;
  /** Blocks at risk (ending within 24 h, to be extended, not paid), when this tick swept all blocks; else absent. */
  blocksAtRisk?: number;
  deadlineReached: boolean;
  /** The due blocks could not be read (DynamoDB failed or did not answer in time): the tick ended early, cleanly. */
  dueUnavailable?: boolean;
  durationMs: number;
}

export type Tick = (opts?: { deadline?: Date }) => Promise<TickReport>;

/** Settles a purchase outcome write again after a conflict, as long as our intent is still the one stored. */
const SETTLE_ATTEMPTS = 4;

/**
 * The scheduler tick: reads the due blocks, refreshes EC2's truth in batches per region, lets the engine decide per
 * block and carries the decision out. Every state change is a conditional write; a purchase only follows a won
 * intent write, so overlapping ticks and concurrent API edits can never both buy.
 */
export function createTick(opts: CreateTickOptions): Tick {
  const { store, history, ec2, notifier, clock, ids } = opts;
  const logger = opts.logger ?? silentLogger;
  const concurrency = Math.max(1, opts.concurrency ?? 8);
  const pageSize = Math.max(1, opts.pageSize ?? 250);
  const wallNow = opts.wallNow ?? Date.now;
  const purchaseTimeoutMs = opts.purchaseTimeoutMs ?? 10_000;
  const callClock = opts.callClock ?? wallNow;
  const atRiskEveryMs = Math.max(0, opts.atRiskEveryMs ?? 5 * 60_000);
  let lastSweepAt: number | undefined;
  const settings: EngineSettings = {
    ...DEFAULT_ENGINE_SETTINGS,
    ...opts.settings,
    autoApprove: opts.settings.autoApprove ?? !notifier.canReachApprover,
  };
  const textOpts = { ...(opts.apiUrl ? { apiUrl: opts.apiUrl } : {}) };

  return async function tick(tickOpts = {}) {
    const started = wallNow();
    const deadline = tickOpts.deadline?.getTime() ?? started + (opts.deadlineMs ?? 50_000);
    const report: TickReport = {
      due: 0, processed: 0, skipped: 0, decisions: {}, purchaseAttempts: 0, purchases: 0, errors: 0, throttled: 0,
      conflicts: 0, writes: 0, notifications: 0, bought: 0, spend: {}, approvalsPending: 0, paymentFailures: 0, ec2Errors: 0,
      ec2Throttles: 0, deadlineReached: false, durationMs: 0,
    };
    const io = countingProvider(ec2, report);
    const timeLeft = () => wallNow() < deadline;
    const tickNow = clock.now().toISOString();
    // A block written with nextCheckAt = now can come back in a later page of this same query; it waits for the
    // next tick (e.g. an intent settled as not bought is never bought again in the tick that settled it).
    const seen = new Set<string>();

    let cursor: string | undefined;
    do {
      if (!timeLeft()) {
        report.deadlineReached = true;
        break;
      }
      const page = await readDue(tickNow, cursor, report);
      if (!page) break;
      cursor = page.cursor;
      const fresh = page.items.filter((b) => !seen.has(b.PK));
      for (const b of fresh) seen.add(b.PK);
      report.due += fresh.length;
      await processPage(fresh, report, timeLeft, io);
    } while (cursor);

    if (atRiskEveryMs > 0 && !report.dueUnavailable && timeLeft() && (lastSweepAt === undefined || clock.now().getTime() - lastSweepAt >= atRiskEveryMs)) {
      await sweepAtRisk(report);
    }

    report.durationMs = wallNow() - started;
    logger.info("tick done", { ...report });
    return report;
  };

  /**
   * One page of due blocks, or undefined when the store failed: then the tick gives up (the blocks are still due, the
   * next tick reads them again) instead of throwing, so a stalled DynamoDB costs one bounded call per tick, not a
   * Lambda error each minute. No heartbeat is written for such a tick (tick-metrics.ts), so an outage still alarms.
   */
  async function readDue(tickNow: string, cursor: string | undefined, report: TickReport) {
    try {
      return await store.findDue(tickNow, { limit: pageSize, ...(cursor ? { cursor } : {}) });
    } catch (err) {
      if (!(err instanceof InfrastructureError)) throw err;
      report.errors++;
      report.dueUnavailable = true;
      logger.warn("due blocks unavailable; tick ends, the next one retries", { error: describeError(err) });
      return undefined;
    }
  }

  /**
   * Counts the blocks at risk; each one gets a warning line. Only blocks ending within the at-risk horizon are read
   * (the index by end date, no writes), so the cost follows the blocks about to end, not the size of the table.
   */
  async function sweepAtRisk(report: TickReport): Promise<void> {
    const now = clock.now();
    try {
      const ending: Block[] = [];
      const from = now.toISOString();
      const to = new Date(now.getTime() + AT_RISK_HORIZON_MS).toISOString();
      let cursor: string | undefined;
      do {
        const page = await store.findEndingBetween(from, to, { limit: pageSize, ...(cursor ? { cursor } : {}) });
        ending.push(...page.items);
        cursor = page.cursor;
      } while (cursor);
      const atRisk = ending.filter((b) => isAtRisk(b, now));
      for (const b of atRisk) {
        logger.warn("block at risk: ends within 24 h without a paid extension", {
          ...blockFields(b), endDate: b.endDate, status: b.status, statusReason: b.statusReason,
          hoursLeft: Math.round(((Date.parse(b.endDate!) - now.getTime()) / 3_600_000) * 10) / 10,
        });
      }
      report.blocksAtRisk = atRisk.length;
      lastSweepAt = now.getTime();
    } catch (err) {
      logger.warn("at-risk sweep failed; retried next tick", { error: describeError(err) });
    }
  }

  async function processPage(blocks: Block[], report: TickReport, timeLeft: () => boolean, ec2: CapacityProvider): Promise<void> {
    if (blocks.length === 0) return;
    const byRegion = new Map<string, Block[]>();
    for (const b of blocks) byRegion.set(b.region, [...(byRegion.get(b.region) ?? []), b]);

    // One batched describe per region (and page of due blocks); one region's failure leaves the others alone.
    const truth = new Map<string, { reservations: Map<string, ReservationView>; history: Map<string, ExtensionRecord[]> } | { error: unknown }>();
    await Promise.all(
      [...byRegion].map(async ([region, list]) => {
        const crIds = list.map((b) => b.capacityReservationId);
        try {
          const [reservations, hist] = await Promise.all([ec2.describeReservations(region, crIds), ec2.extensionHistory(region, crIds)]);
          truth.set(region, { reservations, history: hist });
        } catch (error) {
          logger.warn("region refresh failed; its blocks back off", { region, blocks: list.length, error: describeError(error) });
          truth.set(region, { error });
        }
      }),
    );

    await pool(blocks, concurrency, async (block) => {
      if (!timeLeft()) {
        report.deadlineReached = true;
        report.skipped++;
        return;
      }
      const t = truth.get(block.region)!;
      const run: Run = { stored: block, report, ec2 };
      report.processed++;
      try {
        if ("error" in t) throw t.error;
        await processBlock(run, t.reservations.get(block.capacityReservationId), t.history.get(block.capacityReservationId) ?? []);
      } catch (err) {
        if (err instanceof VersionConflictError) {
          // Someone else (another tick, a person through the API) wrote first; the block is looked at again later.
          report.conflicts++;
          report.skipped++;
          report.processed--;
          logger.info("block changed concurrently; left for a later tick", blockFields(block));
          return;
        }
        await recordFailure(run, err);
      }
    });
  }

  interface Run {
    /** The latest version of the record known to be stored: every write is conditional on its version. */
    stored: Block;
    report: TickReport;
    /** EC2, counting failures and throttles into the report. */
    ec2: CapacityProvider;
  }

  async function processBlock(run: Run, reservation: ReservationView | undefined, hist: ExtensionRecord[]): Promise<void> {
    const now = clock.now();
    const rec = reconcile(run.stored, reservation, hist, now);
    const base = rec.block;
    const pre: Pending = { events: rec.events.map((e) => ({ type: e.type, message: e.message, ...(e.data ? { data: e.data } : {}) })), notifications: rec.notifications };
    const failedPayments = rec.events.filter((e) => e.type === "payment-failed");
    for (const e of failedPayments) {
      logger.warn("extension payment failed", { ...blockFields(base), window: e.data?.window, offeringId: e.data?.offeringId, fee: e.data?.upfrontFee, currency: e.data?.currencyCode });
    }
    run.report.paymentFailures += failedPayments.length;

    const wall = new Date(callClock());
    let decision = decide({ block: base, reservation, history: hist, now, wallNow: wall, settings });
    let offerings: Map<number, ExtensionOffering[]> | undefined;
    // The engine asks for offerings lazily: fetch the preferred duration first and only go shorter if it asks again.
    for (let round = 0; decision.kind === "fetch-offerings"; round++) {
      offerings ??= new Map();
      const todo = decision.durationsHours.filter((h) => !offerings!.has(h));
      if (todo.length === 0 || round > 64) throw new Error(`engine asked again for offerings it has (${decision.durationsHours.join(", ")} h)`);
      for (const hours of todo) {
        const list = await run.ec2.extensionOfferings(run.stored.region, run.stored.capacityReservationId, hours);
        offerings.set(hours, list);
        if (list.length > 0) break;
      }
      decision = decide({ block: base, reservation, history: hist, now, wallNow: wall, settings, offerings });
    }
    run.report.decisions[decision.kind] = (run.report.decisions[decision.kind] ?? 0) + 1;
    if (decision.kind === "request-approval" || (decision.kind === "wait" && decision.reason === "approval-pending")) run.report.approvalsPending++;
    logger.info("decision", { ...blockFields(base), ...decisionFields(decision) });

    switch (decision.kind) {
      case "purchase":
        return purchase(run, base, decision, pre);
      case "request-approval":
        return requestApproval(run, base, decision, pre, now);
      case "settle-intent":
        return settleIntent(run, base, decision, pre, now);
      case "await-payment":
        return awaitPayment(run, base, decision, pre, now);
      case "wait":
      case "stop":
        return settleSimple(run, base, decision, pre, now);
    }
  }

  interface EventSpec {
    type: HistoryEventType;
    message: string;
    data?: Record<string, unknown>;
  }
  interface Pending {
    events: EventSpec[];
    notifications: Notification[];
  }

  /** Applies the status, reason, next check and failure counter a decision leaves the block in. */
  function settled(base: Block, decision: Decision, now: Date, previousFailures: number | undefined): Block {
    const { status, reason } = statusFor(decision);
    return { ...base, status, statusReason: reason, nextCheckAt: nextCheckAfter(decision, now), failures: failuresAfter(decision, previousFailures) };
  }

  /**
   * Conditional write of `next` over `run.stored`, with `events` in the same transaction. Skipped when nothing but
   * `updatedAt` would change: due blocks with nothing new cost one write only because their nextCheckAt moves.
   */
  async function write(run: Run, next: Block, events: EventSpec[]): Promise<void> {
    if (events.length === 0 && sameRecord(run.stored, next)) return;
    const at = clock.now().toISOString();
    const full: Block = { ...next, version: run.stored.version + 1, updatedAt: at };
    const evs: HistoryEvent[] = events.map((e) => ({ PK: next.PK, at, id: ids.next(), type: e.type, actor: "scheduler", message: e.message, ...(e.data ? { data: e.data } : {}) }));
    run.stored = await store.update(full, run.stored.version, evs);
    run.report.writes++;
  }

  async function notify(run: Run, list: Notification[]): Promise<void> {
    const seen = new Set<string>();
    for (const n of list) {
      if (seen.has(n.key)) continue;
      seen.add(n.key);
      try {
        await notifier.send(n);
        run.report.notifications++;
      } catch (err) {
        // The state is written already; a lost informational notice must not undo it.
        run.report.errors++;
        logger.error("notification failed", { ...blockFields(run.stored), key: n.key, kind: n.kind, error: describeError(err) });
      }
    }
  }

  async function settleSimple(run: Run, base: Block, decision: Extract<Decision, { kind: "wait" | "stop" }>, pre: Pending, now: Date): Promise<void> {
    const next = settled(base, decision, now, run.stored.failures);
    const events = [...pre.events];
    const notes = [...pre.notifications];
    const statusChanged = next.status !== run.stored.status;
    if (statusChanged) {
      events.push({ type: "status-changed", message: `${run.stored.status} → ${next.status}: ${next.statusReason ?? ""}`, data: { from: run.stored.status, to: next.status } });
    }
    if (decision.kind === "stop" && statusChanged && NOTIFY_ON_STOP.has(decision.reason) && !notes.some((n) => n.kind === "payment-failed")) {
      notes.push(stopNotification(next, decision.reason, decision.detail, next.endDate ?? undefined, now, textOpts));
    }
    await write(run, next, events);
    await notify(run, notes);
  }

  async function awaitPayment(run: Run, base: Block, decision: Extract<Decision, { kind: "await-payment" }>, pre: Pending, now: Date): Promise<void> {
    let next = settled(base, decision, now, run.stored.failures);
    const events = [...pre.events];
    const notes = [...pre.notifications];
    if (decision.alert) {
      next = markPaymentAlerted(next, decision.extension, now);
      events.push({ type: "payment-pending-alert", message: `extension ${decision.extension.offeringId} still payment-pending; the block ends ${decision.window}`, data: { offeringId: decision.extension.offeringId } });
      notes.push(paymentPendingAlert(next, decision.extension, decision.window, now));
    }
    await write(run, next, events);
    await notify(run, notes);
  }

  async function requestApproval(run: Run, base: Block, decision: Extract<Decision, { kind: "request-approval" }>, pre: Pending, now: Date): Promise<void> {
    const next = { ...recordApprovalRequest(settled(base, decision, now, run.stored.failures), decision, now) };
    const count = next.approvalRequest!.count;
    const events: EventSpec[] = [...pre.events];
    if (decision.voided !== undefined) {
      // History says why the approval no longer covers the purchase; the notice below says what changed.
      events.push({ type: "approval-voided", message: `the approval given by ${base.approval?.by ?? "?"} no longer covers the purchase: ${decision.voided}`, data: { reason: decision.voided, approval: base.approval ?? null } });
    }
    events.push({
      type: "approval-requested",
      message: `${decision.notice} approval notice #${count} for the window ending ${decision.window}: ${durationText(decision.offering.durationHours)} for ${decision.offering.upfrontFee} ${decision.offering.currencyCode}`,
      data: { notice: decision.notice, count, offeringId: decision.offering.offeringId, upfrontFee: decision.offering.upfrontFee, durationHours: decision.offering.durationHours, currencyCode: decision.offering.currencyCode },
    });
    // Record first, send second: if another tick won this write it also sends, and we must not send a second copy.
    const before = run.stored;
    await write(run, next, events);
    try {
      await notifier.send(approvalNotification(next, decision.window, decision.offering, decision.notice, count, now, textOpts, decision.voided));
      run.report.notifications++;
    } catch (err) {
      // Undo the bookkeeping so the notice goes out again after a backoff instead of at the next reminder.
      logger.error("approval notice failed; retrying after backoff", { ...blockFields(next), error: describeError(err) });
      const failures = (run.stored.failures ?? 0) + 1;
      await write(run, {
        ...run.stored,
        approvalRequest: before.approvalRequest ?? null,
        lastError: lastError(err, now),
        failures,
        nextCheckAt: backoffUntil(failures - 1, now, settings),
      }, []).catch(() => undefined);
      run.report.errors++;
      return;
    }
    await notify(run, pre.notifications);
  }

  /**
   * THE purchase protocol. (1) Win the conditional intent write (or skip: someone else is on it). (2) Call EC2
   * once, without SDK retries. (3) Record the outcome: bought → pending payment; rejected → intent cleared;
   * ambiguous → intent kept, settled from EC2's history by a later tick before anything else is bought.
   */
  async function purchase(run: Run, base: Block, decision: Extract<Decision, { kind: "purchase" }>, pre: Pending): Promise<void> {
    if (base.intent) throw new Error(`invariant: purchase decided for ${base.PK} while intent ${base.intent.id} is unsettled`);
    // The last guard before money moves: the authorization's terms must cover exactly this purchase.
    const coverage = covers(decision.authorization.terms, base, decision.window, decision.offering);
    if (!coverage.covered) throw new Error(`invariant: purchase for ${base.PK} is outside its ${decision.authorization.kind} authorization: ${coverage.reason}`);
    const now = clock.now();
    // Until the call's timeout plus the settle grace has passed in wall time, the order may still reach EC2.
    const callSettledAt = new Date(callClock() + purchaseTimeoutMs + settings.settleGraceMs).toISOString();
    const intent = intentFor(decision, ids.next(), now, callSettledAt);
    const events: EventSpec[] = [...pre.events];
    if (decision.approval === "auto-approved") {
      logger.warn("approved automatically: no approver can be reached (no notification topic configured)", { ...blockFields(base), window: decision.window });
      events.push({ type: "auto-approved", message: `approved automatically for the window ending ${decision.window}: no approval topic is configured`, data: { window: decision.window, offeringId: intent.offeringId } });
    }
    events.push({
      type: "purchase-intent",
      message: `buying ${durationText(intent.durationHours)} for ${intent.upfrontFee} ${intent.currencyCode} (${intent.offeringId}), authorized by ${authorizationText(decision.authorization)}`,
      data: { intent, approval: decision.approval, authorization: decision.authorization },
    });
    // nextCheckAt = now: if this process dies after the purchase, the next tick settles the intent.
    const withIntentBlock: Block = { ...withIntent(base, intent, now), nextCheckAt: now.toISOString() };

    await write(run, withIntentBlock, events); // VersionConflictError: another writer won; nothing is bought.
    await notify(run, pre.notifications);

    run.report.purchaseAttempts++;
    let extension: ExtensionRecord;
    try {
      extension = await run.ec2.purchaseExtension(base.region, base.capacityReservationId, intent.offeringId);
    } catch (err) {
      if (err instanceof RejectedError || err instanceof ThrottledError) {
        await afterRejected(run, intent, err);
      } else {
        await afterAmbiguous(run, intent, err);
      }
      return;
    }
    run.report.purchases++;
    logger.info("extension purchased", { ...blockFields(base), window: decision.window, offeringId: extension.offeringId, fee: extension.upfrontFee, currency: extension.currencyCode, status: extension.status });
    const ok = await updateOwnIntent(run, intent, (b) => recordBought(b, extension, now), [
      { type: "purchased", message: `bought ${durationText(extension.durationHours)} for ${extension.upfrontFee} ${extension.currencyCode} (${extension.offeringId})`, data: { extension, intentId: intent.id } },
    ]);
    if (!ok) return;
    // Counted where the purchase is recorded: when this write fails, the tick that settles it from EC2's history
    // counts it, so each extension is in `bought` and `spend` (the Spend metric) exactly once.
    countBought(run.report, extension);
    await notify(run, [purchasedNotification(run.stored, run.stored.pendingExtension!, now)]);
  }

  function recordBought(b: Block, extension: ExtensionRecord, now: Date): Block {
    const next = recordPurchased(b, extension, now);
    return { ...next, nextCheckAt: nextCheckAfter({ kind: "settle-intent", intent: b.intent!, outcome: "purchased", extension }, now) };
  }

  async function afterRejected(run: Run, intent: PurchaseIntent, err: unknown): Promise<void> {
    const now = clock.now();
    const throttled = err instanceof ThrottledError;
    if (throttled) run.report.throttled++;
    else run.report.errors++;
    logger.warn("purchase rejected by EC2; nothing was bought", { ...blockFields(run.stored), window: intent.window, offeringId: intent.offeringId, error: describeError(err) });
    await updateOwnIntent(
      run,
      intent,
      (b) => {
        const failures = (b.failures ?? 0) + 1;
        return {
          ...b,
          intent: null,
          status: throttled ? "throttled" : "error",
          statusReason: `purchase of ${intent.offeringId} ${throttled ? "throttled" : "rejected"}: ${errorMessage(err)}`,
          lastError: lastError(err, now),
          failures,
          nextCheckAt: backoffUntil(failures - 1, now, settings),
        };
      },
      [{ type: "purchase-rejected", message: `EC2 rejected the purchase of ${intent.offeringId}: ${errorMessage(err)}`, data: { intentId: intent.id, code: errorCode(err) } }],
    );
  }

  async function afterAmbiguous(run: Run, intent: PurchaseIntent, err: unknown): Promise<void> {
    const now = clock.now();
    run.report.errors++;
    logger.error("purchase outcome unknown; the intent stays until EC2's history settles it", { ...blockFields(run.stored), window: intent.window, offeringId: intent.offeringId, error: describeError(err) });
    await updateOwnIntent(
      run,
      intent,
      (b) => ({
        ...b,
        status: "purchasing",
        statusReason: `purchase of ${intent.offeringId} has an unknown outcome; settling from EC2's history`,
        lastError: lastError(err, now),
        nextCheckAt: now.toISOString(),
      }),
      [{ type: "purchase-ambiguous", message: `purchase of ${intent.offeringId} may or may not have happened: ${errorMessage(err)}`, data: { intentId: intent.id, code: errorCode(err) } }],
    );
  }

  /**
   * Writes the outcome of our own purchase. A conflict (a person edited the block meanwhile) is retried on a fresh
   * read as long as our intent is still stored; if it is gone, another tick settled it from EC2's history already.
   * Any other failure leaves the intent in place for the next tick to settle; that is the protocol, not an error.
   */
  async function updateOwnIntent(run: Run, intent: PurchaseIntent, apply: (b: Block) => Block, events: EventSpec[]): Promise<boolean> {
    for (let attempt = 1; attempt <= SETTLE_ATTEMPTS; attempt++) {
      if (run.stored.intent?.id !== intent.id) {
        logger.info("intent already settled elsewhere", { ...blockFields(run.stored), intentId: intent.id });
        return false;
      }
      try {
        await write(run, apply(run.stored), events);
        return true;
      } catch (err) {
        if (!(err instanceof VersionConflictError)) {
          logger.error("could not record the purchase outcome; the next tick settles it from EC2", { ...blockFields(run.stored), intentId: intent.id, error: describeError(err) });
          run.report.errors++;
          // Keep the audit trail of what EC2 answered even though the record could not be updated.
          const at = clock.now().toISOString();
          await history
            .append(events.map((e) => ({ PK: run.stored.PK, at, id: ids.next(), type: e.type, actor: "scheduler", message: e.message, ...(e.data ? { data: e.data } : {}) })))
            .catch(() => undefined);
          return false;
        }
        run.report.conflicts++;
        const fresh = await store.get(run.stored.PK).catch(() => undefined);
        if (!fresh) return false;
        run.stored = fresh;
      }
    }
    return false;
  }

  async function settleIntent(run: Run, base: Block, decision: Extract<Decision, { kind: "settle-intent" }>, pre: Pending, now: Date): Promise<void> {
    if (decision.outcome === "purchased") {
      const ext = decision.extension;
      const next = recordBought(base, ext, now);
      await write(run, next, [
        ...pre.events,
        { type: "intent-settled", message: `intent ${decision.intent.id} settled from EC2's history: bought (${ext.status})`, data: { intentId: decision.intent.id, outcome: "purchased", extension: ext } },
        { type: "purchased", message: `bought ${durationText(ext.durationHours)} for ${ext.upfrontFee} ${ext.currencyCode} (${ext.offeringId}), confirmed from EC2's history`, data: { extension: ext, intentId: decision.intent.id } },
      ]);
      countBought(run.report, ext);
      await notify(run, [...pre.notifications, purchasedNotification(run.stored, run.stored.pendingExtension!, now)]);
      return;
    }
    const next = { ...settled(recordNotPurchased(base, now), decision, now, run.stored.failures) };
    await write(run, next, [
      ...pre.events,
      { type: "intent-settled", message: `intent ${decision.intent.id} settled: ${decision.intent.offeringId} was not bought`, data: { intentId: decision.intent.id, outcome: "not-purchased" } },
    ]);
    await notify(run, pre.notifications);
  }

  /** Throttling and errors back off per block with exponential delay; the record (and any intent) is otherwise kept. */
  async function recordFailure(run: Run, err: unknown): Promise<void> {
    const now = clock.now();
    const throttled = err instanceof ThrottledError;
    if (throttled) run.report.throttled++;
    else run.report.errors++;
    (throttled ? logger.warn : logger.error)(throttled ? "throttled by EC2; backing off" : "block failed; backing off", { ...blockFields(run.stored), error: describeError(err) });
    const failures = (run.stored.failures ?? 0) + 1;
    try {
      await write(run, {
        ...run.stored,
        status: throttled ? "throttled" : "error",
        statusReason: `${throttled ? "throttled" : "failed"}: ${errorMessage(err)}`,
        lastError: lastError(err, now),
        failures,
        nextCheckAt: backoffUntil(failures - 1, now, settings),
      }, []);
    } catch (writeErr) {
      logger.error("could not record the failure", { ...blockFields(run.stored), error: describeError(writeErr) });
    }
  }
}

/** Stops that mean the block will end (or needs a person) and are worth one notice per window and reason. */
const NOTIFY_ON_STOP: ReadonlySet<string> = new Set([
  "no-offering", "price-above-cap", "budget-exhausted", "currency-mismatch", "window-closed", "not-owned", "not-found", "not-extendable", "payment-failed", "idle",
]);

/** The fields every per-block log line carries, so CloudWatch Logs Insights can filter by any of them. */
function blockFields(b: Block): Record<string, unknown> {
  return { PK: b.PK, capacityReservationId: b.capacityReservationId, region: b.region };
}

/** `decision` (its kind), `reason` (stop or wait reason, approval notice, approval basis …), and the window and fee when there is one. */
export function decisionFields(d: Decision): Record<string, unknown> {
  switch (d.kind) {
    case "wait":
      return { decision: d.kind, reason: d.reason, until: d.until };
    case "stop":
      return { decision: d.kind, reason: d.reason, detail: d.detail, ...(d.retryAt ? { retryAt: d.retryAt } : {}) };
    case "fetch-offerings":
      return { decision: d.kind, reason: "offerings-needed", window: d.window };
    case "request-approval":
      return { decision: d.kind, reason: d.notice, window: d.window, offeringId: d.offering.offeringId, fee: d.offering.upfrontFee, currency: d.offering.currencyCode, durationHours: d.offering.durationHours };
    case "purchase":
      return { decision: d.kind, reason: d.approval, window: d.window, offeringId: d.offering.offeringId, fee: d.offering.upfrontFee, currency: d.offering.currencyCode, durationHours: d.offering.durationHours };
    case "await-payment":
      return { decision: d.kind, reason: d.alert ? "payment-pending-alert" : "payment-pending", window: d.window, offeringId: d.extension.offeringId, fee: d.extension.upfrontFee, currency: d.extension.currencyCode };
    case "settle-intent":
      return { decision: d.kind, reason: d.outcome, window: d.intent.window, offeringId: d.intent.offeringId, fee: d.intent.upfrontFee, currency: d.intent.currencyCode };
  }
}

/** Which authorization a purchase uses, for history: "the policy", or "approval by alice at …". */
function authorizationText(a: Authorization): string {
  if (a.kind === "policy") return "the policy (no approval required)";
  if (a.kind === "auto-approval") return "automatic approval within the policy (no approver can be reached)";
  return `the approval by ${a.by ?? "?"} at ${a.at ?? "?"}`;
}

/** Money stays a decimal string here; only the metric at the edge turns it into a number. */
function countBought(report: TickReport, ext: ExtensionRecord): void {
  report.bought++;
  report.spend[ext.currencyCode] = addMoney(report.spend[ext.currencyCode] ?? "0", ext.upfrontFee);
}

/** EC2 with every failed call counted into the report (throttles apart), the error passed on unchanged. */
function countingProvider(inner: CapacityProvider, report: TickReport): CapacityProvider {
  const counted =
    <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      try {
        return await fn(...args);
      } catch (err) {
        if (err instanceof ThrottledError) report.ec2Throttles++;
        else report.ec2Errors++;
        throw err;
      }
    };
  return {
    describeReservations: counted((r, ids) => inner.describeReservations(r, ids)),
    extensionHistory: counted((r, ids) => inner.extensionHistory(r, ids)),
    extensionOfferings: counted((r, c, h) => inner.extensionOfferings(r, c, h)),
    purchaseExtension: counted((r, c, o) => inner.purchaseExtension(r, c, o)),
    listCapacityBlocks: counted((r, o) => inner.listCapacityBlocks(r, o)),
  };
}

/** Runs `fn` over `items` with at most `limit` in flight. */
async function pool<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

function errorCode(err: unknown): string {
  const e = err as { providerCode?: string; code?: string; name?: string } | undefined;
  return e?.providerCode ?? e?.code ?? e?.name ?? "Error";
}

function errorMessage(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).slice(0, 500);
}

function lastError(err: unknown, now: Date) {
  return { code: errorCode(err), message: errorMessage(err), at: now.toISOString() };
}

function describeError(err: unknown): Record<string, unknown> {
  return { code: errorCode(err), message: errorMessage(err), name: (err as Error | undefined)?.name };
}
