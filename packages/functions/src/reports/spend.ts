import * as z from "zod";
import {
  type Block,
  type BlockStore,
  type BlockUsage,
  type CapacityRequest,
  type HistoryEvent,
  type HistoryStore,
  mayHaveBought,
  type RequestStore,
  spendReport,
  type SpendReport,
  usedInstanceHours,
  usageView,
} from "@cbm/core";
import { drain, type PageReader } from "../platform/pages";
import { pool } from "../platform/pool";

export interface SpendReportDeps {
  store: Pick<BlockStore, "list">;
  history: Pick<HistoryStore, "list">;
  /** Capacity requests, for the blocks they bought; without them the report has extensions only. */
  requests?: Pick<RequestStore, "list">;
  /** Usage samples (USAGE#<PK>); without them the report has no used instance-hours. */
  usage?: { get(pk: string): Promise<BlockUsage | undefined> };
  now?: () => Date;
}

/** Pages read at most per list: a report is bounded work, and says when it was cut. */
const MAX_PAGES = 20;
const PAGE = 100;
/** History reads in flight at once. */
const CONCURRENCY = 8;

const all = <T>(list: PageReader<T>) => drain(list, { limit: PAGE, maxPages: MAX_PAGES });

/** Runs `work` over `items`, CONCURRENCY at a time. */
const pooled = <T>(items: readonly T[], work: (item: T) => Promise<void>) => pool(items, CONCURRENCY, work);

/**
 * The one spend report (core's spendReport) from the stores, for GET /reports/spend, `cbm report` and the console:
 * the blocks, the capacity requests and the history of each block that has bought (its purchase and payment events). Bounded reads,
 * never a scan; `truncated` says when a list was cut.
 */
export async function buildSpendReport(deps: SpendReportDeps): Promise<SpendReport & { truncated: boolean }> {
  const [blocks, requests] = await Promise.all([
    all<Block>((o) => deps.store.list(o)),
    deps.requests ? all<CapacityRequest>((o) => deps.requests!.list(o)) : { items: [], truncated: false },
  ]);
  const histories = new Map<string, HistoryEvent[]>();
  let historyCut = false;
  // A block that never bought has no purchase in its history: most blocks cost no read.
  await pooled(blocks.items.filter(mayHaveBought), async (b) => {
    const events = await all<HistoryEvent>((o) => deps.history.list(b.PK, o));
    histories.set(b.PK, events.items);
    historyCut ||= events.truncated;
  });
  const used = new Map<string, number>();
  if (deps.usage) {
    const now = (deps.now ?? (() => new Date()))().toISOString();
    for (const u of await usageOf(
      deps.usage,
      blocks.items.map((b) => b.PK),
    ))
      used.set(u.pk, usedInstanceHours(u, now).total);
  }
  return {
    ...spendReport({ blocks: blocks.items, histories, requests: requests.items, usedInstanceHours: used }),
    truncated: blocks.truncated || requests.truncated || historyCut,
  };
}

async function usageOf(usage: NonNullable<SpendReportDeps["usage"]>, pks: string[]): Promise<BlockUsage[]> {
  const out: BlockUsage[] = [];
  await pooled(pks, async (pk) => {
    const u = await usage.get(pk);
    if (u) out.push(u);
  });
  return out;
}

/** One sampled block's use: now, the last 24 h (hourly) and how long it has been idle. */
export const BlockUsageRow = z.object({
  pk: z.string(),
  capacityReservationId: z.string(),
  running: z.number(),
  total: z.number(),
  state: z.string(),
  sampledAt: z.string(),
  /** Instance-hours that ran in the last 24 h. */
  last24h: z.number(),
  idleHours: z.number(),
  /** The last 24 hourly aggregates (mean running per hour). */
  hours: z.array(z.object({ hour: z.string(), meanRunning: z.number(), maxRunning: z.number() })),
});
export type BlockUsageRow = z.infer<typeof BlockUsageRow>;

/** GET /reports/usage. */
export const UsageReport = z.object({ blocks: z.array(BlockUsageRow), truncated: z.boolean() });
export type UsageReport = z.infer<typeof UsageReport>;

/** Current use and the last 24 h of every managed block that has been sampled. */
export async function buildUsageReport(
  deps: Required<Pick<SpendReportDeps, "store" | "usage">> & { now?: () => Date },
): Promise<UsageReport> {
  const blocks = await all<Block>((o) => deps.store.list(o));
  const now = (deps.now ?? (() => new Date()))().toISOString();
  const rows = (
    await usageOf(
      deps.usage,
      blocks.items.map((b) => b.PK),
    )
  ).map((u) => {
    const view = usageView(u, now);
    return {
      pk: u.pk,
      capacityReservationId: u.capacityReservationId,
      running: view.running,
      total: view.total,
      state: view.state,
      sampledAt: view.at,
      last24h: view.last24hInstanceHours,
      idleHours: view.idleHours,
      hours: view.last24h.map(({ hour, meanRunning, maxRunning }) => ({ hour, meanRunning, maxRunning })),
    };
  });
  return { blocks: rows.sort((a, b) => a.pk.localeCompare(b.pk)), truncated: blocks.truncated };
}
