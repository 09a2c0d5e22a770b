import {
  adoptLedger,
  countOwnPurchase,
  createdEvent,
  registerBlock,
  type Block,
  type CreateBlockCommand,
  type HistoryEvent,
  type OwnPurchase,
} from "@cbm/core";
import { historyEvent, type Actor, type BlockUseCaseDeps } from "./deps";

/** A human-readable note about valid input that is probably not what the caller wants (e.g. a short lookahead). */
export type InputWarning = string;

export interface WithWarnings {
  block: Block;
  warnings: InputWarning[];
}

export function createCreateBlock(deps: BlockUseCaseDeps) {
  /** `bought`: the block was bought by a capacity request, whose fee it counts in `spent` (see countOwnPurchase). */
  return async function createBlock(
    command: CreateBlockCommand,
    { actor, bought }: Actor & { bought?: OwnPurchase },
  ): Promise<WithWarnings> {
    const now = deps.clock.now();
    const parsed = registerBlock(command, { now: now.toISOString(), ...(deps.defaultRegion ? { defaultRegion: deps.defaultRegion } : {}) });
    // A fresh registration id: writers holding a copy of an earlier registration of this PK can never write into it.
    const registered: Block = { ...parsed.block, registrationId: deps.ids.next() };
    // Spend belongs to the reservation: what earlier registrations of it spent counts against this one's budget.
    const ledger = await deps.store.getLedger(registered.capacityReservationId);
    const adopted = adoptLedger(registered, ledger);
    const carried = adopted.event;
    const own = bought ? countOwnPurchase(adopted.block, bought) : undefined;
    const block = own?.block ?? adopted.block;
    const warnings = [...parsed.warnings, ...(carried ? [carried.message] : [])];
    const events: HistoryEvent[] = [historyEvent(deps, block.PK, now, actor, createdEvent(block, warnings))];
    if (carried) events.push(historyEvent(deps, block.PK, now, actor, carried));
    if (own) events.push(historyEvent(deps, block.PK, now, actor, own.event));
    const stored = await deps.store.create(block, events, { ledgerRev: ledger?.rev });
    return { block: stored, warnings };
  };
}
