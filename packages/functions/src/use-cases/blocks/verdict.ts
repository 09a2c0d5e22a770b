import { NotFoundError, VersionConflictError, applyVerdict, type Block, type VerdictKind } from "@cbm/core";
import { MAX_UNPINNED_ATTEMPTS, type Actor, type BlockUseCaseDeps } from "./deps";

export interface VerdictInput extends Actor {
  comment?: string;
}

/** Approve and deny: core's applyVerdict decides the window and the record; this reads, writes and retries. */
export function createVerdicts(deps: BlockUseCaseDeps) {
  async function decide(pk: string, kind: VerdictKind, { actor, comment }: VerdictInput): Promise<Block> {
    for (let attempt = 1; ; attempt++) {
      const current = await deps.store.get(pk);
      if (!current) throw new NotFoundError(pk);
      const { block, event } = applyVerdict(current, kind, { by: actor, ...(comment !== undefined ? { comment } : {}) }, deps.clock.now());
      try {
        return await deps.store.update(block, current.version, [{ ...event, id: deps.ids.next() }]);
      } catch (err) {
        if (!(err instanceof VersionConflictError) || attempt >= MAX_UNPINNED_ATTEMPTS) throw err;
      }
    }
  }

  return {
    approve: (pk: string, input: VerdictInput) => decide(pk, "approved", input),
    deny: (pk: string, input: VerdictInput) => decide(pk, "denied", input),
  };
}
