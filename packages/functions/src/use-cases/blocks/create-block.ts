import type { Block } from "@cbm/core";
import { parseCreateBlock, type InputWarning } from "./block-inputs";
import { historyEvent, type Actor, type BlockUseCaseDeps } from "./deps";

export interface WithWarnings {
  block: Block;
  warnings: InputWarning[];
}

export function createCreateBlock(deps: BlockUseCaseDeps) {
  return async function createBlock(body: unknown, { actor }: Actor): Promise<WithWarnings> {
    const now = deps.clock.now();
    const { block, warnings } = parseCreateBlock(body, { now: now.toISOString() });
    // A new block is looked at by the next tick, which reads its true end date from EC2.
    const fresh: Block = { ...block, nextCheckAt: block.nextCheckAt ?? now.toISOString() };
    const stored = await deps.store.create(fresh, [
      historyEvent(deps, fresh.PK, now, "created", actor, `Created for ${fresh.capacityReservationId} in ${fresh.region}`, warnings.length ? { warnings } : undefined),
    ]);
    return { block: stored, warnings };
  };
}
