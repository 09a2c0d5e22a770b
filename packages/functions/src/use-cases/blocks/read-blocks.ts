import { NotFoundError, type Block, type HistoryEvent, type Page } from "@cbm/core";
import type { BlockUseCaseDeps } from "./deps";

export interface PageRequest {
  limit: number;
  cursor?: string;
}

export function createReadBlocks({ store, history }: Pick<BlockUseCaseDeps, "store" | "history">) {
  return {
    async get(pk: string): Promise<Block> {
      const block = await store.get(pk);
      if (!block) throw new NotFoundError(pk);
      return block;
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
