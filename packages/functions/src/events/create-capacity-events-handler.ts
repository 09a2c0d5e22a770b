import middy from "@middy/core";
import type { BlockStore, Clock, Notifier } from "@cbm/core";
import type { Logger } from "../observability/logger";
import { capacityBlockNotice, parseCapacityBlockEvent } from "./capacity-block-events";

export interface CapacityEventsDeps {
  store: BlockStore;
  notifier: Notifier;
  clock: Clock;
  logger: Pick<Logger, "info" | "warn" | "error">;
}

/**
 * Forwards AWS's Capacity Block events (EventBridge rule: source aws.ec2, both detail-type spellings) as notices.
 * The managed block is found through its reservation's ledger (`managedBy`), without a scan. A failed send throws,
 * so EventBridge's asynchronous invocation retries it.
 */
export function createCapacityEventsHandler(deps: CapacityEventsDeps) {
  return middy<unknown, { forwarded: boolean }>({ timeoutEarlyInMillis: 0 }).handler(async (event) => {
    const ev = parseCapacityBlockEvent(event);
    if (!ev) {
      deps.logger.warn("ignored an event that is not a Capacity Block event", { detailType: (event as { "detail-type"?: unknown } | null)?.["detail-type"] });
      return { forwarded: false };
    }
    const ledger = await deps.store.getLedger(ev.capacityReservationId);
    const block = ledger?.managedBy ? await deps.store.get(ledger.managedBy) : undefined;
    await deps.notifier.send(capacityBlockNotice(ev, block, deps.clock.now()));
    deps.logger.info("capacity block event forwarded", { kind: ev.kind, capacityReservationId: ev.capacityReservationId, PK: block?.PK });
    return { forwarded: true };
  });
}
