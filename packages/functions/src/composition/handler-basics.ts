import type { BlockStore, Clock, HistoryStore, Ids, UsageReader } from "@cbm/core";
import { systemClock } from "../adapters/clock";
import { createUlidIds } from "../adapters/ids";
import { createBlockUseCases, type BlockUseCases } from "../blocks/use-cases";

/**
 * What the API and web functions both build first: the clock and ids they default to (the wall clock, ULIDs) and the
 * block use cases over them, so both functions read and write blocks the same way.
 */
export function handlerBasics(deps: {
  store: BlockStore;
  history: HistoryStore;
  clock?: Clock;
  ids?: Ids;
  usage?: UsageReader;
  defaultRegion?: string;
}): { clock: Clock; ids: Ids; blocks: BlockUseCases } {
  const clock = deps.clock ?? systemClock;
  const ids = deps.ids ?? createUlidIds(clock);
  const blocks = createBlockUseCases({
    store: deps.store,
    history: deps.history,
    clock,
    ids,
    ...(deps.defaultRegion ? { defaultRegion: deps.defaultRegion } : {}),
    ...(deps.usage ? { usage: deps.usage } : {}),
  });
  return { clock, ids, blocks };
}
