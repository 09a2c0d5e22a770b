import { describe, expect, it } from "vitest";
import { createLogger } from "../src/platform/observability/logger";
import { createLocalObservability } from "../src/platform/observability/local";
import { createMetrics, createMetricsSummary } from "../src/platform/observability/metrics";

const fixedNow = () => new Date("2026-11-24T10:00:00.000Z");

function capture() {
  const lines: string[] = [];
  return { lines, sink: { write: (l: string) => lines.push(l) } };
}

describe("logger", () => {
  it("writes one JSON object per line with service, level, time, fields", () => {
    const { lines, sink } = capture();
    const log = createLogger({ sink, now: fixedNow, service: "cbm-test" }).child({ requestId: "r-1" });
    log.info("decision", { PK: "blk-1", decision: "wait" });
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toEqual({
      level: "info",
      timestamp: "2026-11-24T10:00:00.000Z",
      message: "decision",
      service: "cbm-test",
      requestId: "r-1",
      PK: "blk-1",
      decision: "wait",
    });
  });

  it("never writes secrets, at any depth", () => {
    const { lines, sink } = capture();
    createLogger({ sink, now: fixedNow }).warn("request", {
      headers: { "x-api-key": "s3cr3t-key", Authorization: "Bearer abc" },
      nested: [{ SecretString: "s3cr3t-key" }],
    });
    expect(lines[0]).not.toContain("s3cr3t-key");
    expect(lines[0]).not.toContain("Bearer abc");
    expect(JSON.parse(lines[0]!).headers["x-api-key"]).toBe("[redacted]");
  });

  it("prints only lines at or above the threshold, readable when pretty", () => {
    const { lines, sink } = capture();
    const log = createLogger({ sink, now: fixedNow, level: "warn", pretty: true });
    log.info("hidden");
    log.error("tick failed", { PK: "a" });
    expect(lines).toEqual(["10:00:00 ERROR tick failed  PK=a"]);
  });

  it("serialises errors with name, message, code", () => {
    const { lines, sink } = capture();
    const err = Object.assign(new Error("boom"), { code: "THROTTLED" });
    createLogger({ sink, now: fixedNow }).error("failed", { err });
    expect(JSON.parse(lines[0]!).err).toMatchObject({ name: "Error", message: "boom", code: "THROTTLED" });
  });
});

describe("metrics", () => {
  it("flushes CloudWatch EMF grouped by dimensions, summing repeated names", () => {
    const { lines, sink } = capture();
    const m = createMetrics({ sink, now: fixedNow, defaults: { stage: "prod" } });
    m.add("Decisions", 1, "Count", { kind: "wait" });
    m.add("Decisions", 1, "Count", { kind: "wait" });
    m.add("Decisions", 1, "Count", { kind: "purchase" });
    m.add("TickDuration", 120, "Milliseconds");
    const batch = m.flush();
    expect(batch).toHaveLength(4);
    const docs = lines.map((l) => JSON.parse(l));
    expect(docs).toHaveLength(3);
    const wait = docs.find((d) => d.kind === "wait");
    expect(wait).toMatchObject({ stage: "prod", Decisions: 2 });
    expect(wait._aws.CloudWatchMetrics[0]).toEqual({
      Namespace: "CapacityBlockManager",
      Dimensions: [["stage", "kind"]],
      Metrics: [{ Name: "Decisions", Unit: "Count" }],
    });
    expect(docs.find((d) => d.TickDuration !== undefined)._aws.Timestamp).toBe(fixedNow().getTime());
    expect(m.flush()).toEqual([]);
  });

  it("keeps running totals for the local summary", () => {
    const summary = createMetricsSummary();
    const m = createMetrics({ onFlush: (d) => summary.record(d) });
    m.add("Purchases", 1);
    m.add("Spend", 283.5, "None", { currency: "USD" });
    m.flush();
    m.add("Purchases", 2);
    m.flush();
    expect(summary.snapshot()).toEqual({
      Purchases: { unit: "Count", sum: 3, count: 2, max: 2 },
      "Spend{currency=USD}": { unit: "None", sum: 283.5, count: 1, max: 283.5 },
    });
  });
});

describe("local mode", () => {
  it("prints the tick's lines readably and keeps running totals of its metrics, for GET /_local/metrics and a table", () => {
    const lines: string[] = [];
    const local = createLocalObservability({ write: (l) => lines.push(l), now: fixedNow });
    local.logger.info("decision", { PK: "blk-1", decision: "wait", reason: "window-not-open" });
    expect(lines).toEqual(["10:00:00 INFO  decision  PK=blk-1 decision=wait reason=window-not-open"]);

    const report = {
      due: 2,
      processed: 2,
      skipped: 0,
      decisions: { purchase: 1, wait: 1 },
      purchaseAttempts: 1,
      purchases: 1,
      errors: 0,
      throttled: 0,
      conflicts: 0,
      writes: 2,
      notifications: 1,
      bought: 1,
      spend: { USD: "10571.90" },
      approvalsPending: 0,
      paymentFailures: 0,
      ec2Errors: 0,
      ec2Throttles: 0,
      blocksAtRisk: 1,
      deadlineReached: false,
      durationMs: 40,
    };
    local.recordTick(report);
    local.recordTick({ ...report, decisions: { wait: 2 }, bought: 0, spend: {}, blocksAtRisk: undefined });
    local.recordTickFailure();
    local.metrics.add("Requests", 1);
    local.metrics.flush();
    const snap = local.snapshot();
    expect(snap).toMatchObject({
      Ticks: { sum: 3 },
      TickHeartbeat: { sum: 2 },
      TickErrors: { sum: 1 },
      "Decisions{kind=purchase}": { sum: 1 },
      "Decisions{kind=wait}": { sum: 3 },
      Purchases: { sum: 1 },
      "Spend{currency=USD}": { sum: 10571.9, unit: "None" },
      BlocksAtRisk: { sum: 1, count: 1, max: 1 },
      TickDuration: { sum: 80, max: 40, unit: "Milliseconds" },
      Requests: { sum: 1 },
    });
    const table = local.table().split("\n");
    expect(table[0]).toMatch(/^metric\s+sum\s+samples\s+max$/);
    expect(table.find((l) => l.startsWith("Spend{currency=USD}"))).toMatch(/10571\.90\s+1\s+10571\.90$/);
    expect(table.find((l) => l.startsWith("TickDuration"))).toMatch(/80 ms\s+2\s+40 ms$/);
  });
});
