import {
  type Block,
  type BlockStore,
  type BlockUsage,
  type CapacityRequest,
  type ExtensionPurchase,
  type HistoryStore,
  idleHours,
  type Page,
  type RequestStore,
  spendReport,
  type SpendReport,
  usedInstanceHours,
} from "@cbm/core";

export interface SpendReportDeps {
  store: Pick<BlockStore, "list">;
  history: Pick<HistoryStore, "list">;
  requests: Pick<RequestStore, "list">;
  /** Usage samples (USAGE#<PK>); without them the report has no used instance-hours. */
  usage?: { get(pk: string): Promise<BlockUsage | undefined> };
  now?: () => Date;
}

/** Pages read at most per list: a report is bounded work, and says when it was cut. */
const MAX_PAGES = 20;
const PAGE = 100;
/** History reads in flight at once. */
const CONCURRENCY = 8;

async function all<T>(list: (o: { limit: number; cursor?: string }) => Promise<Page<T>>): Promise<{ items: T[]; truncated: boolean }> {
  const items: T[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < MAX_PAGES; i++) {
    const page = await list({ limit: PAGE, ...(cursor ? { cursor } : {}) });
    items.push(...page.items);
    cursor = page.cursor;
    if (!cursor) return { items, truncated: false };
  }
  return { items, truncated: true };
}

/** The extension purchases in one block's history (its newest 100 events: the months of recent spend). */
async function purchasesOf(history: SpendReportDeps["history"], pk: string): Promise<ExtensionPurchase[]> {
  const page = await history.list(pk, { limit: PAGE });
  return page.items.flatMap((e) => {
    const ext = (e.data?.extension ?? {}) as { upfrontFee?: unknown; currencyCode?: unknown };
    if (e.type !== "purchased" || typeof ext.upfrontFee !== "string" || typeof ext.currencyCode !== "string") return [];
    return [{ pk, at: e.at, upfrontFee: ext.upfrontFee, currency: ext.currencyCode }];
  });
}

/** Spend per month, block and team from the stores (see core's spendReport); bounded reads, never a scan. */
export async function buildSpendReport(deps: SpendReportDeps): Promise<SpendReport & { truncated: boolean }> {
  const [blocks, requests] = await Promise.all([all<Block>((o) => deps.store.list(o)), all<CapacityRequest>((o) => deps.requests.list(o))]);
  const extensionPurchases: ExtensionPurchase[] = [];
  const queue = blocks.items.filter((b) => b.extensionsPurchased > 0).map((b) => b.PK);
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let pk = queue.shift(); pk !== undefined; pk = queue.shift()) extensionPurchases.push(...(await purchasesOf(deps.history, pk)));
    }),
  );
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
    ...spendReport({ blocks: blocks.items, requests: requests.items, extensionPurchases, usedInstanceHours: used }),
    truncated: blocks.truncated || requests.truncated,
  };
}

async function usageOf(usage: NonNullable<SpendReportDeps["usage"]>, pks: string[]): Promise<BlockUsage[]> {
  const queue = [...pks];
  const out: BlockUsage[] = [];
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let pk = queue.shift(); pk !== undefined; pk = queue.shift()) {
        const u = await usage.get(pk);
        if (u) out.push(u);
      }
    }),
  );
  return out;
}

export interface BlockUsageRow {
  pk: string;
  capacityReservationId: string;
  running: number;
  total: number;
  state: string;
  sampledAt: string;
  /** Instance-hours that ran in the last 24 h. */
  last24h: number;
  idleHours: number;
  /** The last 24 hourly aggregates (mean running per hour). */
  hours: { hour: string; meanRunning: number; maxRunning: number }[];
}

/** Current use and the last 24 h of every managed block that has been sampled. */
export async function buildUsageReport(
  deps: Required<Pick<SpendReportDeps, "store" | "usage">> & { now?: () => Date },
): Promise<{ blocks: BlockUsageRow[]; truncated: boolean }> {
  const blocks = await all<Block>((o) => deps.store.list(o));
  const now = (deps.now ?? (() => new Date()))().toISOString();
  const rows = (
    await usageOf(
      deps.usage,
      blocks.items.map((b) => b.PK),
    )
  ).map((u) => ({
    pk: u.pk,
    capacityReservationId: u.capacityReservationId,
    running: u.current.running,
    total: u.current.total,
    state: u.current.state,
    sampledAt: u.current.at,
    last24h: usedInstanceHours(u, now).last24h,
    idleHours: idleHours(u, now),
    hours: u.hours
      .slice(-24)
      .map((h) => ({ hour: h.hour, meanRunning: Math.round((h.runningSum / h.samples) * 100) / 100, maxRunning: h.runningMax })),
  }));
  return { blocks: rows.sort((a, b) => a.pk.localeCompare(b.pk)), truncated: blocks.truncated };
}
