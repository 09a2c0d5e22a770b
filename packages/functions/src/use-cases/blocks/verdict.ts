import {
  NotFoundError,
  VersionConflictError,
  applyVerdict,
  resetSpend,
  type Block,
  type HistoryEventDraft,
  type VerdictKind,
} from "@cbm/core";
import { MAX_UNPINNED_ATTEMPTS, type Actor, type BlockUseCaseDeps } from "./deps";

export interface VerdictInput extends Actor {
  comment?: string;
}

/** Approve and deny: core's applyVerdict decides the window and the record; this reads, writes and retries. */
export function createVerdicts(deps: BlockUseCaseDeps) {
  /** Reads, applies a core rule, writes conditionally; a lost race is replayed on the fresh record. */
  async function act<R extends { block: Block; event: HistoryEventDraft }>(
    pk: string,
    rule: (current: Block) => R,
  ): Promise<{ block: Block; result: R }> {
    for (let attempt = 1; ; attempt++) {
      const current = await deps.store.get(pk);
      if (!current) throw new NotFoundError(pk);
      const result = rule(current);
      try {
        return { block: await deps.store.update(result.block, current.version, [{ ...result.event, id: deps.ids.next() }]), result };
      } catch (err) {
        if (!(err instanceof VersionConflictError) || attempt >= MAX_UNPINNED_ATTEMPTS) throw err;
      }
    }
  }

  const decide = async (pk: string, kind: VerdictKind, { actor, comment }: VerdictInput) => {
    const { block, result } = await act(pk, (current) =>
      applyVerdict(current, kind, { by: actor, ...(comment !== undefined ? { comment } : {}) }, deps.clock.now()),
    );
    // The approval response states in words what it covers.
    return { block, ...(result.covers ? { covers: result.covers } : {}) };
  };

  return {
    approve: (pk: string, input: VerdictInput) => decide(pk, "approved", input),
    deny: async (pk: string, input: VerdictInput) => (await decide(pk, "denied", input)).block,
    /** Sets what the block counts as spent and bought back to 0, recorded in history with who and why. */
    resetSpend: async (pk: string, { actor, comment }: VerdictInput) =>
      (await act(pk, (current) => resetSpend(current, actor, comment, deps.clock.now()))).block,
  };
}
