import middy from "@middy/core";
import type { BlockStore, Clock, Notifier } from "@cbm/core";
import { recordNotices } from "../platform/observability/job-metrics";
import type { Logger } from "../platform/observability/logger";
import type { Metrics } from "../platform/observability/metrics";
import { flushMetrics } from "../platform/observability/middy";
import { capacityBlockNotice, parseCapacityBlockEvent } from "./capacity-block-events";

export interface NoticesDeps {
  store: BlockStore;
  notifier: Notifier;
  clock: Clock;
  logger: Pick<Logger, "info" | "warn" | "error">;
  /** The expiry reminder sweep (notices/expiry-reminders.ts), run on the function's schedule. */
  reminders?: { sweep(): Promise<number> };
  /** Flushed once per invocation: notices and reminders sent, sends refused (EMF on stdout in Lambda). */
  metrics?: Pick<Metrics, "add" | "flush">;
}

export type NoticesResult = { forwarded: boolean } | { reminders: number };

/** EventBridge's scheduled events (the reminder schedule) as opposed to AWS's Capacity Block events. */
function isSchedule(event: unknown): boolean {
  const e = event as { source?: unknown; "detail-type"?: unknown } | null;
  return e?.source === "aws.events" && e["detail-type"] === "Scheduled Event";
}

/**
 * The notices that do not come from a scheduler decision, in one small function (no EC2 client): AWS's Capacity
 * Block events (EventBridge rule: source aws.ec2, both detail-type spellings) forwarded as notices, and, on its
 * schedule, the expiry reminders for every managed block. The managed block of an event is found through its
 * reservation's ledger (`managedBy`), without a scan. A failed send throws, so EventBridge retries the event.
 */
export function createNoticesHandler(deps: NoticesDeps) {
  const metrics = deps.metrics ?? { add: () => undefined, flush: () => [] };
  const count = (run: Partial<Parameters<typeof recordNotices>[1]>) =>
    recordNotices(metrics, { notices: 0, reminders: 0, failures: 0, ...run });
  return middy<unknown, NoticesResult>({ timeoutEarlyInMillis: 0 })
    .use(flushMetrics(metrics))
    .handler(async (event) => {
      if (isSchedule(event)) {
        const reminders = deps.reminders ? await deps.reminders.sweep() : 0;
        count({ reminders });
        deps.logger.info("expiry reminders swept", { reminders });
        return { reminders };
      }
      const ev = parseCapacityBlockEvent(event);
      if (!ev) {
        count({});
        deps.logger.warn("ignored an event that is not a Capacity Block event", {
          detailType: (event as { "detail-type"?: unknown } | null)?.["detail-type"],
        });
        return { forwarded: false };
      }
      const ledger = await deps.store.getLedger(ev.capacityReservationId);
      const block = ledger?.managedBy ? await deps.store.get(ledger.managedBy) : undefined;
      try {
        await deps.notifier.send(capacityBlockNotice(ev, block, deps.clock.now()));
      } catch (err) {
        count({ failures: 1 });
        throw err;
      }
      count({ notices: 1 });
      deps.logger.info("capacity block event forwarded", { kind: ev.kind, capacityReservationId: ev.capacityReservationId, PK: block?.PK });
      return { forwarded: true };
    });
}
