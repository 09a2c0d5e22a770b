import { type Block, type BlockStore, type CapacityRequest, type ExtensionPurchase, type HistoryStore, type Page, type RequestStore, spendReport, type SpendReport } from "@cbm/core";

export interface SpendReportDeps {
  store: Pick<BlockStore, "list">;
  history: Pick<HistoryStore, "list">;
  requests: Pick<RequestStore, "list">;
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
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    for (let pk = queue.shift(); pk !== undefined; pk = queue.shift()) extensionPurchases.push(...(await purchasesOf(deps.history, pk)));
  }));
  return { ...spendReport({ blocks: blocks.items, requests: requests.items, extensionPurchases }), truncated: blocks.truncated || requests.truncated };
}
