import type { BlockStore, Clock, EventSpec, HistoryEvent, HistoryStore, Ids, UsageReader } from "@cbm/core";

export interface BlockUseCaseDeps {
  store: BlockStore;
  history: HistoryStore;
  clock: Clock;
  ids: Ids;
  /** Region a block gets when a first-release client leaves it out: the one CBM runs in. */
  defaultRegion?: string;
  /** Sampled usage, shown with one block (`show`); without it a block shows none. */
  usage?: UsageReader;
}

/** Who acts: `api-key`, or the caller's sanitized `x-cbm-actor`; recorded in history. */
export interface Actor {
  actor: string;
}

/** A history event as stored: one of core's event builders (createdEvent …, or a rule's event) with the block, instant, actor and an id. */
export function historyEvent(deps: Pick<BlockUseCaseDeps, "ids">, pk: string, at: Date, actor: string, spec: EventSpec): HistoryEvent {
  return {
    PK: pk,
    at: at.toISOString(),
    id: deps.ids.next(),
    type: spec.type,
    actor,
    message: spec.message,
    ...(spec.data ? { data: spec.data } : {}),
  };
}
