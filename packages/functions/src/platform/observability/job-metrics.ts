import { ALARMED_METRICS, type Metrics } from "./metrics";

/*
 * The metrics of the scheduled functions other than the tick (tick-metrics.ts): one call per run, zeros included, so
 * every alarm reads a continuous series while the function runs. Written in the namespace and with the dimensions
 * of every CBM metric (metrics.ts); the composition wires them (composition/scheduled.ts, composition/rotation.ts).
 */

type Adder = Pick<Metrics, "add">;

/** What one run of the capacity-request worker did, as its metrics count it. */
export interface RequestRunCounts {
  /** Request steps carried out. */
  processed: number;
  /** Requests that reached payment-pending or fulfilled from a purchase or a settled intent in this run. */
  purchases: number;
  /** Purchases whose outcome EC2 left unknown in this run: the intent is held and settled later from its tag. */
  held: number;
  /** Steps that failed (left for the next run). */
  errors: number;
}

export function recordRequestRun(metrics: Adder, run: RequestRunCounts): void {
  metrics.add("RequestRuns", 1);
  metrics.add("RequestsProcessed", run.processed);
  metrics.add("RequestPurchases", run.purchases);
  metrics.add(ALARMED_METRICS.requestPurchasesHeld, run.held);
  metrics.add(ALARMED_METRICS.requestErrors, run.errors);
}

/** A run of the request worker that threw as a whole (DynamoDB unreachable): counted as a run and an error. */
export function recordRequestRunFailure(metrics: Adder): void {
  recordRequestRun(metrics, { processed: 0, purchases: 0, held: 0, errors: 1 });
}

/** One invocation of the notices function: AWS events forwarded, expiry reminders sent, sends the notifier refused. */
export function recordNotices(metrics: Adder, run: { notices: number; reminders: number; failures: number }): void {
  metrics.add("NoticesSent", run.notices);
  metrics.add("RemindersSent", run.reminders);
  metrics.add(ALARMED_METRICS.noticeSendFailures, run.failures);
}

/** One invocation of the key rotation: a finished rotation, the keys a reconcile added or removed, a failure. */
export function recordKeyRotation(metrics: Adder, run: { rotations: number; repairs: number; failures: number }): void {
  metrics.add("KeyRotations", run.rotations);
  metrics.add("KeyReconcileRepairs", run.repairs);
  metrics.add(ALARMED_METRICS.keyRotationFailures, run.failures);
}
