import { InfrastructureError, NotFoundError, usageView, type Block, type BlockUsageView, type HistoryEvent, type Page } from "@cbm/core";
import type { BlockUseCaseDeps } from "./deps";

/** One block as `GET /{PK}` shows it: the record, plus its usage (null before the first sample). */
export type BlockWithUsage = Block & { usage?: BlockUsageView | null };

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
      if (!usage || sampled === "unreadable") return block;
      return { ...block, usage: sampled ? usageView(sampled, clock.now().toISOString()) : null };
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
