import {
  NotFoundError,
  decideVerdict,
  resetSpend,
  type Block,
  type HistoryEventDraft,
  type VerdictKind,
  type VerdictMode,
  type WindowChoice,
} from "@cbm/core";
import { retryOnConflict } from "../../platform/retry-on-conflict";
import type { Actor, BlockUseCaseDeps } from "./deps";

export interface VerdictInput extends Actor {
  comment?: string;
  /** Absent: the window a notice asked about; "next" or an end date: that window, explicitly. */
  window?: WindowChoice;
}

/** What a verdict did, in words for the person who acted (`mode: repeat` recorded nothing). */
export interface VerdictAnswer {
  block: Block;
  covers?: string;
  window: string;
  mode: VerdictMode;
  note: string;
}

/** Approve and deny: core's applyVerdict decides the window and the record; this reads, writes and retries. */
export function createVerdicts(deps: BlockUseCaseDeps) {
  /** Reads, applies a core rule, writes conditionally; a lost race is replayed on the fresh record. */
  async function act<R extends { block: Block; event?: HistoryEventDraft }>(
    pk: string,
    rule: (current: Block) => R,
  ): Promise<{ block: Block; result: R }> {
    return retryOnConflict(async () => {
      const current = await deps.store.get(pk);
      if (!current) throw new NotFoundError(pk);
      const result = rule(current);
      // A repeat of a verdict already held writes nothing: no new version, no history event.
      if (!result.event) return { block: current, result };
      return { block: await deps.store.update(result.block, current.version, [{ ...result.event, id: deps.ids.next() }]), result };
    });
  }

  const decide = async (pk: string, kind: VerdictKind, { actor, comment, window }: VerdictInput): Promise<VerdictAnswer> => {
    const { block, result } = await act(pk, (current) =>
      decideVerdict(
        current,
        kind,
        { by: actor, ...(comment !== undefined ? { comment } : {}), ...(window !== undefined ? { window } : {}) },
        deps.clock.now(),
      ),
    );
    // The answer states in words which window was decided, whether it was asked, and what an approval covers.
    return { block, window: result.window, mode: result.mode, note: result.note, ...(result.covers ? { covers: result.covers } : {}) };
  };

  return {
    approve: (pk: string, input: VerdictInput) => decide(pk, "approved", input),
    deny: (pk: string, input: VerdictInput) => decide(pk, "denied", input),
    /** Sets what the block counts as spent and bought back to 0, recorded in history with who and why. */
    resetSpend: async (pk: string, { actor, comment }: VerdictInput) =>
      (await act(pk, (current) => resetSpend(current, actor, comment, deps.clock.now()))).block,
  };
}
