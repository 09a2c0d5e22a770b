import { adoptLedger, createdEvent, registerBlock, type Block, type CreateBlockCommand, type HistoryEvent } from "@cbm/core";
import { historyEvent, type Actor, type BlockUseCaseDeps } from "./deps";

/** A human-readable note about valid input that is probably not what the caller wants (e.g. a short lookahead). */
export type InputWarning = string;

export interface WithWarnings {
  block: Block;
  warnings: InputWarning[];
}

export function createCreateBlock(deps: BlockUseCaseDeps) {
  return async function createBlock(command: CreateBlockCommand, { actor }: Actor): Promise<WithWarnings> {
    const now = deps.clock.now();
    const parsed = registerBlock(command, { now: now.toISOString(), ...(deps.defaultRegion ? { defaultRegion: deps.defaultRegion } : {}) });
    // A fresh registration id: writers holding a copy of an earlier registration of this PK can never write into it.
    const registered: Block = { ...parsed.block, registrationId: deps.ids.next() };
    // Spend belongs to the reservation: what earlier registrations of it spent counts against this one's budget.
    const ledger = await deps.store.getLedger(registered.capacityReservationId);
    const { block, event: carried } = adoptLedger(registered, ledger);
    const warnings = [...parsed.warnings, ...(carried ? [carried.message] : [])];
    const events: HistoryEvent[] = [historyEvent(deps, block.PK, now, actor, createdEvent(block, warnings))];
    if (carried) events.push(historyEvent(deps, block.PK, now, actor, carried));
    const stored = await deps.store.create(block, events, { ledgerRev: ledger?.rev });
    return { block: stored, warnings };
  };
}
