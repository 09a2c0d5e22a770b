import {
  InfrastructureError,
  NotFoundError,
  outlook,
  usageView,
  type Block,
  type BlockUsageView,
  type HistoryEvent,
  type Outlook,
  type Page,
} from "@cbm/core";
import type { BlockUseCaseDeps } from "./deps";

/**
 * One block as `GET /{PK}` shows it: the record, plus its usage (null before the first sample) and what CBM will do
 * next (the console's, the notices' and `cbm get`'s sentence, computed on CBM's clock).
 */
export type BlockWithUsage = Block & { usage?: BlockUsageView | null; outlook?: Outlook };

export interface PageRequest {
  limit: number;
  cursor?: string;
}

export function createReadBlocks({ store, history, usage, clock }: Pick<BlockUseCaseDeps, "store" | "history" | "usage" | "clock">) {
  async function get(pk: string): Promise<Block> {
    const block = await store.get(pk);
    if (!block) throw new NotFoundError(pk);
    return block;
  }
  return {
    get,

    /**
     * The block with its usage. Usage is statistics: when it cannot be read, the block is still shown, without the
     * `usage` member (null means "not sampled yet").
     */
    async show(pk: string): Promise<BlockWithUsage> {
      const [block, sampled] = await Promise.all([
        get(pk),
        usage?.get(pk).catch((err: unknown) => {
          if (err instanceof InfrastructureError) return "unreadable" as const;
          throw err;
        }),
      ]);
      const now = clock.now();
      const read = { ...block, outlook: outlook(block, now) };
      if (!usage || sampled === "unreadable") return read;
      return { ...read, usage: sampled ? usageView(sampled, now.toISOString()) : null };
    },

    list(page: PageRequest): Promise<Page<Block>> {
      return store.list(page);
    },

    /** Newest first. History outlives its block (the audit trail of a deleted block stays readable). */
    async history(pk: string, page: PageRequest): Promise<Page<HistoryEvent>> {
      const result = await history.list(pk, page);
      if (result.items.length === 0 && !page.cursor && !(await store.get(pk))) throw new NotFoundError(pk);
      return result;
    },
  };
}
