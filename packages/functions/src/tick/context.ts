import type {
  Block,
  BlockStore,
  CapacityProvider,
  Clock,
  EngineSettings,
  EventSpec,
  HistoryEvent,
  HistoryStore,
  Ids,
  Notification,
  Notifier,
  TickReport,
} from "@cbm/core";
import type { Logger } from "../platform/observability/logger";
import { blockFields, describeError } from "./log-fields";
import type { NotificationTextOptions } from "./notifications";
import { sameRecord } from "./same-record";
import type { ApprovalLinkIssuer } from "../approvals";

/** What every step of a tick works with, built once per tick function (createTick) and passed explicitly. */
export interface TickContext {
  store: BlockStore;
  history: HistoryStore;
  notifier: Notifier;
  clock: Clock;
  ids: Ids;
  logger: Pick<Logger, "info" | "warn" | "error">;
  settings: EngineSettings;
  textOpts: NotificationTextOptions;
  /** The EC2 client's timeout for one purchase call (wall time); see CreateTickOptions. */
  purchaseTimeoutMs: number;
  /** The clock that timeout runs on (real time). */
  callClock: () => number;
  /** Makes the signed review link each approval notice starts with; absent, notices carry only curl and CLI. */
  approvalLinks?: ApprovalLinkIssuer;
}

/** One block's run through a tick. */
export interface Run {
  /** The latest version of the record known to be stored: every write is conditional on it (and its registration). */
  stored: Block;
  report: TickReport;
  /** EC2, counting failures and throttles into the report. */
  ec2: CapacityProvider;
}

/** What reconciling with EC2 produced before the decision: events and notices that go out with its write. */
export interface Pending {
  events: EventSpec[];
  notifications: Notification[];
}

/** Events as stored: the block, the scheduler as actor, one instant, fresh ids. */
export function asHistory(ctx: TickContext, pk: string, events: EventSpec[], at: string): HistoryEvent[] {
  return events.map((e) => ({
    PK: pk,
    at,
    id: ctx.ids.next(),
    type: e.type,
    actor: "scheduler",
    message: e.message,
    ...(e.data ? { data: e.data } : {}),
  }));
}

/**
 * Conditional write of `next` over `run.stored`, with `events` in the same transaction; `run.stored` becomes what
 * was written. Skipped when nothing but bookkeeping would change: a due block with nothing new costs one write only
 * because its nextCheckAt moves.
 */
export async function writeBlock(ctx: TickContext, run: Run, next: Block, events: EventSpec[]): Promise<void> {
  if (events.length === 0 && sameRecord(run.stored, next)) return;
  const at = ctx.clock.now().toISOString();
  const full: Block = { ...next, version: run.stored.version + 1, updatedAt: at };
  run.stored = await ctx.store.update(full, run.stored.version, asHistory(ctx, next.PK, events, at));
  run.report.writes++;
}

/** Sends informational notices once each (by key); a lost notice is logged, never undoes the state already written. */
export async function sendNotices(ctx: TickContext, run: Run, list: Notification[]): Promise<void> {
  const seen = new Set<string>();
  for (const n of list) {
    if (seen.has(n.key)) continue;
    seen.add(n.key);
    try {
      await ctx.notifier.send(n);
      run.report.notifications++;
    } catch (err) {
      run.report.errors++;
      ctx.logger.error("notification failed", { ...blockFields(run.stored), key: n.key, kind: n.kind, error: describeError(err) });
    }
  }
}
