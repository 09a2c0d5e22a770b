import type { TickReport } from "@cbm/core";
import { ALARMED_METRICS, type Metrics } from "./metrics";

/**
 * The metrics of one finished tick, from its report. Zeros are written too, so every alarm reads a continuous series
 * while the scheduler runs. `TickHeartbeat` = 1 is the dead-man's switch: only a tick that finished writes it; one
 * that could not read the due blocks ended cleanly but did no work, so it writes none and a long outage still alarms.
 */
export function recordTickMetrics(metrics: Pick<Metrics, "add">, report: TickReport): void {
  metrics.add("Ticks", 1);
  if (!report.dueUnavailable) metrics.add(ALARMED_METRICS.tickHeartbeat, 1);
  metrics.add("TickDuration", report.durationMs, "Milliseconds");
  metrics.add("BlocksDue", report.due);
  metrics.add("BlocksSkipped", report.skipped);
  for (const [kind, count] of Object.entries(report.decisions)) if (count) metrics.add("Decisions", count, "Count", { kind });
  metrics.add("Purchases", report.bought);
  metrics.add("PurchaseAttempts", report.purchaseAttempts);
  // EMF values are numbers: the fee sum is converted here, for the metric only; money logic never sees a float.
  for (const [currency, sum] of Object.entries(report.spend)) metrics.add("Spend", Number(sum), "None", { currency });
  metrics.add("ApprovalsPending", report.approvalsPending);
  metrics.add("NotificationsSent", report.notifications);
  metrics.add(ALARMED_METRICS.paymentFailed, report.paymentFailures);
  metrics.add(ALARMED_METRICS.ec2Errors, report.ec2Errors);
  metrics.add("Ec2Throttles", report.ec2Throttles);
  metrics.add("TickErrors", report.errors);
  metrics.add("Conflicts", report.conflicts);
  metrics.add("BlockWrites", report.writes);
  if (report.blocksAtRisk !== undefined) metrics.add(ALARMED_METRICS.blocksAtRisk, report.blocksAtRisk);
}

/** A tick that threw: counted as a tick and an error, and no heartbeat. */
export function recordTickFailure(metrics: Pick<Metrics, "add">): void {
  metrics.add("Ticks", 1);
  metrics.add("TickErrors", 1);
}
