import { deletedEvent, ledgerAfterDelete, NotFoundError, PurchaseInFlightError, VersionConflictError, type Block } from "@cbm/core";
import { retryOnConflict } from "../../platform/retry-on-conflict";
import { historyEvent, type BlockUseCaseDeps } from "./deps";
import type { VersionPin } from "./update-block";

export function createDeleteBlock(deps: BlockUseCaseDeps) {
  /**
   * Returns the record as it was; refused while a purchase intent exists (the store re-checks atomically). What the
   * block spent is handed to its reservation's ledger in the same write: a later registration starts from it.
   */
  return async function deleteBlock(pk: string, { actor, ifMatch }: VersionPin): Promise<Block> {
    // A pinned delete (If-Match) fails as the client asked; an unpinned one is replayed on the fresh record.
    return retryOnConflict(
      async () => {
        const current = await deps.store.get(pk);
        if (!current) throw new NotFoundError(pk);
        if (ifMatch !== undefined && ifMatch !== current.version) throw new VersionConflictError(pk, ifMatch);
        if (current.intent) throw new PurchaseInFlightError(pk);
        const now = deps.clock.now();
        const ledger = ledgerAfterDelete(current, await deps.store.getLedger(current.capacityReservationId), now);
        await deps.store.delete(
          pk,
          current.version,
          [historyEvent(deps, pk, now, actor, deletedEvent(current))],
          ledger,
          current.registrationId,
        );
        return current;
      },
      { pinned: ifMatch !== undefined },
    );
  };
}
