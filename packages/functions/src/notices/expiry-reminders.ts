import {
  DEFAULT_REMINDER_OFFSETS_MS,
  dueReminder,
  notStartedText,
  offsetLabel,
  outlook,
  terminationStartsAt,
  timeLeftText,
  type Block,
  type BlockStore,
  type Clock,
  type Notification,
  type Notifier,
  type ReminderLog,
} from "@cbm/core";
import { type Logger, silentLogger } from "../platform/observability/logger";
import { ALARMED_METRICS, type Metrics } from "../platform/observability/metrics";
import { pages } from "../platform/pages";
import { escapeUnsafeText as safeText } from "@cbm/core";

export interface ExpiryRemindersOptions {
  store: BlockStore;
  log: ReminderLog;
  notifier: Notifier;
  clock: Clock;
  /** Before the EC2 end; default 7 days, 24 h and 2 h. */
  offsetsMs?: readonly number[];
  /** How often (Clock time) the sweep runs; default 5 min, so a reminder is at most that late. */
  everyMs?: number;
  pageSize?: number;
  /** For the console link in the text. */
  apiUrl?: string;
  logger?: Pick<Logger, "warn" | "error">;
  /** Counts the reminders the notifier refused (they are retried on a later sweep, so nothing else says so). */
  metrics?: Pick<Metrics, "add">;
}

/** The text of one reminder: when the block ends, what CBM will do about it, and what a person should do. */
export function expiryReminderNotification(b: Block, offsetMs: number, now: Date, apiUrl?: string): Notification {
  const end = b.endDate!;
  const o = outlook(b, now);
  const notStarted = notStartedText(b, now);
  const label = safeText(b.name ?? b.PK);
  const terminate = terminationStartsAt(end);
  const consoleUrl = apiUrl ? `${apiUrl.replace(/\/+$/, "")}/console/blocks/${encodeURIComponent(b.PK)}` : undefined;
  const todo = {
    "needs-you": [
      "Approve the extension: use the link in the approval notice" +
        (consoleUrl ? `, the console (${consoleUrl})` : "") +
        `, or run: cbm approve ${b.PK}`,
      `Without an approval the block ends, and EC2 terminates its instances from ${terminate}: checkpoint your jobs before then.`,
    ],
    // How to change it, where anything can, is in the outlook's own words above ("To change it: …").
    ends: [`CBM will not extend it. Checkpoint your jobs before ${terminate}, when EC2 starts terminating the instances.`],
    retrying: [
      `CBM keeps trying while the window is open, but nothing is bought yet. Plan to checkpoint your jobs before ${terminate} in case it ends.`,
    ],
    extends: ["Nothing, unless the payment fails: CBM tells you if it does."],
  }[o.kind];
  return {
    key: `${b.PK}#${end}#reminder-${offsetLabel(offsetMs)}`,
    kind: "expiry-reminder",
    pk: b.PK,
    subject: `CBM: ${label}${notStarted ? ` ${notStarted};` : ""} ends in ${timeLeftText(end, now)}${o.kind === "ends" ? " and will NOT be extended" : o.kind === "needs-you" ? ", approval needed" : ""}`,
    body: [
      ...(notStarted ? [`Capacity block "${label}" ${notStarted}.`] : []),
      `Capacity block "${label}" (PK ${b.PK}, ${b.capacityReservationId}, ${b.region}) ends at ${end} (${timeLeftText(end, now)} left).`,
      `EC2 starts terminating its instances at ${terminate}.`,
      "",
      `What CBM will do: ${o.text}`,
      "",
      "What to do:",
      ...todo.map((t) => `  ${t}`),
    ].join("\n"),
    at: now.toISOString(),
  };
}

/**
 * Reminders before every managed block's end, whether or not CBM will extend it. Each sweep reads only the blocks
 * ending within the largest offset (the index by end date), and each reminder is claimed in the ReminderLog before
 * it is sent, so overlapping ticks send it once.
 */
export function createExpiryReminders(opts: ExpiryRemindersOptions) {
  const offsets = opts.offsetsMs ?? DEFAULT_REMINDER_OFFSETS_MS;
  const everyMs = opts.everyMs ?? 5 * 60_000;
  const pageSize = opts.pageSize ?? 250;
  const logger = opts.logger ?? silentLogger;
  let lastAt: number | undefined;

  return {
    /** Sends the reminders that are due; returns how many went out. A sweep earlier than `everyMs` after the last does nothing. */
    async sweep(): Promise<number> {
      if (offsets.length === 0) return 0;
      const now = opts.clock.now();
      if (lastAt !== undefined && now.getTime() - lastAt < everyMs) return 0;
      lastAt = now.getTime();
      const horizon = new Date(now.getTime() + Math.max(...offsets)).toISOString();
      let sent = 0;
      for await (const page of pages((p) => opts.store.findEndingBetween(now.toISOString(), horizon, p), { limit: pageSize })) {
        for (const b of page.items) {
          const due = dueReminder(b, now, offsets);
          if (!due || !(await opts.log.claim(due.key, due.endDate))) continue;
          try {
            await opts.notifier.send(expiryReminderNotification(b, due.offsetMs, now, opts.apiUrl));
            sent++;
          } catch (error) {
            logger.error("expiry reminder failed; retried on a later sweep", {
              PK: b.PK,
              key: due.key,
              error: { message: (error as Error).message },
            });
            opts.metrics?.add(ALARMED_METRICS.noticeSendFailures, 1);
            await opts.log.release(due.key).catch(() => undefined);
          }
        }
      }
      return sent;
    },
  };
}
