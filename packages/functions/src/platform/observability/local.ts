import type { TickReport } from "@cbm/core";
import { createLogger, type LogLevel, type Logger } from "./logger";
import { createMetrics, createMetricsSummary, type MetricUnit, type Metrics } from "./metrics";
import { recordTickFailure, recordTickMetrics } from "./tick-metrics";

export interface LocalObservabilityOptions {
  /** Where log lines go; default stdout. */
  write?: (line: string) => void;
  /** Readable one-line entries (default) instead of JSON. */
  pretty?: boolean;
  level?: LogLevel;
  now?: () => Date;
}

export type MetricsSnapshot = Record<string, { unit: MetricUnit; sum: number; count: number; max: number }>;

/**
 * Local mode's logs and metrics: the same log lines as in Lambda (pretty by default), and the same metrics as
 * running totals instead of EMF. Local mode calls createTick directly rather than the Lambda handler, so it reports
 * each tick with `recordTick`.
 */
export function createLocalObservability(opts: LocalObservabilityOptions = {}): {
  logger: Logger;
  metrics: Metrics;
  recordTick(report: TickReport): void;
  recordTickFailure(): void;
  snapshot(): MetricsSnapshot;
  table(): string;
} {
  const summary = createMetricsSummary();
  const logger = createLogger({
    service: "cbm-local",
    pretty: opts.pretty ?? true,
    ...(opts.level ? { level: opts.level } : {}),
    ...(opts.write ? { sink: { write: opts.write } } : {}),
    ...(opts.now ? { now: opts.now } : {}),
  });
  const metrics = createMetrics({ onFlush: (data) => summary.record(data) });
  return {
    logger,
    metrics,
    recordTick(report) {
      recordTickMetrics(metrics, report);
      metrics.flush();
    },
    recordTickFailure() {
      recordTickFailure(metrics);
      metrics.flush();
    },
    snapshot: () => summary.snapshot(),
    table: () => formatMetricsTable(summary.snapshot()),
  };
}

/** The running totals as a console table: one row per metric (and dimension), sum, count and max. */
export function formatMetricsTable(snapshot: MetricsSnapshot): string {
  const rows = Object.entries(snapshot).map(([name, t]) => [name, fmt(t.sum, t.unit), String(t.count), fmt(t.max, t.unit)]);
  if (rows.length === 0) return "(no metrics yet)";
  const header = ["metric", "sum", "samples", "max"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

function fmt(value: number, unit: MetricUnit): string {
  const n = Number.isInteger(value) ? String(value) : value.toFixed(2);
  return unit === "Milliseconds" ? `${n} ms` : n;
}
