import type { LogSink } from "./logger";

/**
 * Counters and timings for one invocation. In AWS they are flushed as CloudWatch Embedded Metric Format (one JSON
 * line CloudWatch turns into metrics, no API call, no extra latency); locally the same numbers feed a summary.
 */
export type MetricUnit = "Count" | "Milliseconds" | "None";

export interface MetricDatum {
  name: string;
  unit: MetricUnit;
  value: number;
  dimensions: Record<string, string>;
}

export interface Metrics {
  add(name: string, value: number, unit?: MetricUnit, dimensions?: Record<string, string>): void;
  /** Writes what was added since the last flush and forgets it. */
  flush(): MetricDatum[];
}

/**
 * Where the handlers write their metrics and what the stacks' alarms and dashboard read, from one contract
 * (`@cbm/functions/contracts`): a rename here renames both, so an alarm can never watch a series nobody writes.
 */
export const METRICS_NAMESPACE = "CapacityBlockManager";

/** The metrics an alarm or the dashboard reads, by the name the handlers write them under. */
export const ALARMED_METRICS = {
  /** 1 per finished tick: the dead-man's switch. */
  tickHeartbeat: "TickHeartbeat",
  blocksAtRisk: "BlocksAtRisk",
  paymentFailed: "PaymentFailed",
  ec2Errors: "Ec2Errors",
  /** API responses >= 400, by `class` (4xx, 5xx). */
  apiErrors: "ApiErrors",
  /** Capacity-request steps that failed in a run of the request worker (left for the next run), plus 1 when a run throws. */
  requestErrors: "RequestErrors",
  /** Capacity-request purchases whose outcome EC2 left unknown: the intent is held until its tag settles it. */
  requestPurchasesHeld: "RequestPurchasesHeld",
  /** Notices (AWS events forwarded, expiry reminders) the notifier refused. */
  noticeSendFailures: "NoticeSendFailures",
  /** Key rotation steps or reconciles that failed. */
  keyRotationFailures: "KeyRotationFailures",
} as const;

export interface MetricsOptions {
  namespace?: string;
  /** Dimensions on every datum, e.g. { stage }. */
  defaults?: Record<string, string>;
  /** Where EMF lines go; omit to collect without printing (tests, local summary). */
  sink?: LogSink;
  now?: () => Date;
  /** Called with every flushed batch (local mode keeps running totals with it). */
  onFlush?: (data: MetricDatum[]) => void;
}

export function createMetrics(opts: MetricsOptions = {}): Metrics {
  const namespace = opts.namespace ?? METRICS_NAMESPACE;
  const now = opts.now ?? (() => new Date());
  let pending: MetricDatum[] = [];

  return {
    add(name, value, unit = "Count", dimensions = {}) {
      pending.push({ name, unit, value, dimensions: { ...opts.defaults, ...dimensions } });
    },
    flush() {
      const batch = pending;
      pending = [];
      if (batch.length === 0) return batch;
      if (opts.sink) {
        // EMF allows one dimension set per document: group data by their dimensions, and sum equal names.
        const groups = new Map<string, MetricDatum[]>();
        for (const d of batch) {
          const key = JSON.stringify(Object.entries(d.dimensions).sort());
          groups.set(key, [...(groups.get(key) ?? []), d]);
        }
        for (const data of groups.values()) {
          const dims = data[0]!.dimensions;
          const values: Record<string, number> = {};
          const units = new Map<string, MetricUnit>();
          for (const d of data) {
            values[d.name] = (values[d.name] ?? 0) + d.value;
            units.set(d.name, d.unit);
          }
          opts.sink.write(
            JSON.stringify({
              _aws: {
                Timestamp: now().getTime(),
                CloudWatchMetrics: [
                  {
                    Namespace: namespace,
                    Dimensions: [Object.keys(dims)],
                    Metrics: [...units].map(([Name, Unit]) => ({ Name, Unit })),
                  },
                ],
              },
              ...dims,
              ...values,
            }),
          );
        }
      }
      opts.onFlush?.(batch);
      return batch;
    },
  };
}

/** Running totals for local mode's `GET /_local/metrics` and console table. */
export function createMetricsSummary() {
  const totals = new Map<string, { unit: MetricUnit; sum: number; count: number; max: number }>();
  return {
    record(data: MetricDatum[]) {
      for (const d of data) {
        const dimSuffix = Object.entries(d.dimensions)
          .filter(([k]) => k !== "stage" && k !== "service")
          .map(([k, v]) => `${k}=${v}`)
          .join(",");
        const key = dimSuffix ? `${d.name}{${dimSuffix}}` : d.name;
        const t = totals.get(key) ?? { unit: d.unit, sum: 0, count: 0, max: 0 };
        t.sum += d.value;
        t.count += 1;
        t.max = Math.max(t.max, d.value);
        totals.set(key, t);
      }
    },
    snapshot(): Record<string, { unit: MetricUnit; sum: number; count: number; max: number }> {
      return Object.fromEntries([...totals].sort(([a], [b]) => a.localeCompare(b)));
    },
  };
}
