import {
  type BlockStore,
  type CapacityProvider,
  type Clock,
  DEFAULT_ENGINE_SETTINGS,
  type EngineSettings,
  type HistoryStore,
  type Ids,
  InfrastructureError,
  type Notifier,
  type Page,
  type Block,
  type TickReport,
  emptyTickReport,
} from "@cbm/core";
import { type Logger, silentLogger } from "../platform/observability/logger";
import { pages } from "../platform/pages";
import { sweepAtRisk } from "./at-risk-sweep";
import type { TickContext } from "./context";
import { countingProvider } from "./counting-provider";
import { describeError } from "./log-fields";
import { runPage } from "./run-page";
import type { ApprovalLinkIssuer } from "../approvals";

export type { TickReport } from "@cbm/core";

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
   * Default 10 s; the assembly (composition/scheduled.ts) passes the timeout its EC2 adapter was built with.
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
  /** Signed approval links for approval notices; without it notices carry only the API and CLI commands. */
  approvalLinks?: ApprovalLinkIssuer;
  /** Expiry reminders for every managed block, swept at the end of a tick when time is left (notices/expiry-reminders.ts). */
  reminders?: { sweep(): Promise<number> };
}

export type Tick = (opts?: { deadline?: Date }) => Promise<TickReport>;

/**
 * The scheduler tick: reads the due blocks page by page, refreshes EC2's truth in batches per region, lets the
 * engine decide per block and carries the decision out (run-page.ts → process-block.ts → carry-out.ts / purchase.ts).
 * Every state change is a conditional write; a purchase only follows a won intent write, so overlapping ticks and
 * concurrent API edits can never both buy.
 */
export function createTick(opts: CreateTickOptions): Tick {
  const wallNow = opts.wallNow ?? Date.now;
  const concurrency = Math.max(1, opts.concurrency ?? 8);
  const pageSize = Math.max(1, opts.pageSize ?? 250);
  const atRiskEveryMs = Math.max(0, opts.atRiskEveryMs ?? 5 * 60_000);
  const settings: EngineSettings = {
    ...DEFAULT_ENGINE_SETTINGS,
    ...opts.settings,
    autoApprove: opts.settings.autoApprove ?? !opts.notifier.canReachApprover,
  };
  const ctx: TickContext = {
    store: opts.store,
    history: opts.history,
    notifier: opts.notifier,
    clock: opts.clock,
    ids: opts.ids,
    logger: opts.logger ?? silentLogger,
    settings,
    textOpts: opts.apiUrl ? { apiUrl: opts.apiUrl } : {},
    purchaseTimeoutMs: opts.purchaseTimeoutMs ?? 10_000,
    callClock: opts.callClock ?? wallNow,
    ...(opts.approvalLinks ? { approvalLinks: opts.approvalLinks } : {}),
  };
  let lastSweepAt: number | undefined;

  return async function tick(tickOpts = {}) {
    const started = wallNow();
    const deadline = tickOpts.deadline?.getTime() ?? started + (opts.deadlineMs ?? 50_000);
    const timeLeft = () => wallNow() < deadline;
    const report = emptyTickReport();
    const ec2 = countingProvider(opts.ec2, report);
    const tickNow = ctx.clock.now().toISOString();
    // A block written with nextCheckAt = now can come back in a later page of this same query; it waits for the
    // next tick (e.g. an intent settled as not bought is never bought again in the tick that settled it).
    const seen = new Set<string>();

    // Checked before every read: a page is read only when there is time to process it.
    const beforePage = () => timeLeft() || ((report.deadlineReached = true), false);
    for await (const page of pages((p) => readDue(ctx, tickNow, p, report), { limit: pageSize, more: beforePage })) {
      const fresh = page.items.filter((b) => !seen.has(b.PK));
      for (const b of fresh) seen.add(b.PK);
      report.due += fresh.length;
      await runPage(ctx, fresh, { report, ec2, concurrency, timeLeft });
    }

    const sweepDue = atRiskEveryMs > 0 && (lastSweepAt === undefined || ctx.clock.now().getTime() - lastSweepAt >= atRiskEveryMs);
    if (sweepDue && !report.dueUnavailable && timeLeft()) {
      const at = ctx.clock.now().getTime();
      if (await sweepAtRisk(ctx, report, pageSize)) lastSweepAt = at;
    }
    if (opts.reminders && !report.dueUnavailable && timeLeft()) {
      report.reminders = await opts.reminders.sweep().catch((error: unknown) => {
        ctx.logger.warn("expiry reminder sweep failed; retried next tick", { error: describeError(error) });
        return 0;
      });
    }

    report.durationMs = wallNow() - started;
    ctx.logger.info("tick done", { ...report });
    return report;
  };
}

/**
 * One page of due blocks, or an empty last page when the store failed: then the tick gives up (the blocks are still
 * due, the next tick reads them again) instead of throwing, so a stalled DynamoDB costs one bounded call per tick, not
 * a Lambda error each minute. No heartbeat is written for such a tick (tick-metrics.ts), so an outage still alarms.
 */
async function readDue(
  ctx: TickContext,
  tickNow: string,
  page: { limit: number; cursor?: string },
  report: TickReport,
): Promise<Page<Block>> {
  try {
    return await ctx.store.findDue(tickNow, page);
  } catch (err) {
    if (!(err instanceof InfrastructureError)) throw err;
    report.errors++;
    report.dueUnavailable = true;
    ctx.logger.warn("due blocks unavailable; tick ends, the next one retries", { error: describeError(err) });
    return { items: [] };
  }
}
