import { describe, expect, it } from "vitest";
import type { Context } from "aws-lambda";
import { compareMoney } from "@cbm/core";
import { createLogger } from "../src/platform/observability/logger";
import { createMetrics } from "../src/platform/observability/metrics";
import { createTickHandler } from "../src/tick/create-tick-handler";
import type { CreateTickOptions } from "../src/tick/create-tick";
import { time, useSchedulerHarness } from "./support/scheduler-harness";

// The log lines and EMF documents a scenario produces, read back from capturing sinks: what CloudWatch would get.
const START = "2025-06-01T12:00:00.000Z";
const END = "2025-06-10T11:30:00.000Z";
const OPENS = "2025-06-08T11:30:00.000Z";
const plus = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString();

const harness = useSchedulerHarness({ start: START });

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- parsed log lines

/** The tick as Lambda runs it (Middy handler, EMF flushed per invocation), with logs and metrics captured. */
async function observed(opts: { canReachApprover?: boolean; tick?: Partial<CreateTickOptions> } = {}) {
  const h = await harness(opts.canReachApprover !== undefined ? { canReachApprover: opts.canReachApprover } : {});
  const logLines: string[] = [];
  const emfLines: string[] = [];
  const logger = createLogger({ service: "cbm-tick", sink: { write: (l) => logLines.push(l) }, now: () => h.clock.now() });
  const metrics = createMetrics({ sink: { write: (l) => emfLines.push(l) }, defaults: { stage: "test" }, now: () => h.clock.now() });
  const tick = h.makeTick({ logger, ...opts.tick });
  const handler = createTickHandler({ tick, logger, metrics });
  const context = { awsRequestId: "lambda-req-1", getRemainingTimeInMillis: () => 55_000 } as unknown as Context;
  let seenLogs = 0;
  let seenEmf = 0;
  return {
    h,
    /** Runs one tick; returns the log lines and EMF documents that tick wrote. */
    async run() {
      const report = await handler({}, context);
      const logs = logLines.slice(seenLogs).map((l) => JSON.parse(l) as Json);
      const emf = emfLines.slice(seenEmf).map((l) => JSON.parse(l) as Json);
      seenLogs = logLines.length;
      seenEmf = emfLines.length;
      return { report, logs, emf };
    },
    allLines: () => [...logLines, ...emfLines],
  };
}

/** The value of metric `name` across a tick's EMF documents whose dimensions include `dims`. */
function metric(emf: Json[], name: string, dims: Record<string, string> = {}): number | undefined {
  const docs = emf.filter((d) => d[name] !== undefined && Object.entries(dims).every(([k, v]) => d[k] === v));
  return docs.length ? docs.reduce((s, d) => s + (d[name] as number), 0) : undefined;
}

/** The EMF declaration of metric `name`: namespace, dimension set, unit. */
function declaration(emf: Json[], name: string) {
  const doc = emf.find((d) => d[name] !== undefined)!;
  const cw = doc._aws.CloudWatchMetrics[0];
  return { namespace: cw.Namespace, dimensions: cw.Dimensions[0], unit: cw.Metrics.find((m: Json) => m.Name === name).Unit, doc };
}

describe("tick observability (DynamoDB Local + EC2 emulator)", () => {
  it("a purchase: one decision line (PK, reservation, region, decision, reason, window, fee), a summary line, EMF (Decisions{kind}, Purchases, Spend{currency}, TickHeartbeat)", async () => {
    const o = await observed();
    const block = await o.h.register({ endDate: END, policy: { requireApproval: false } });
    await o.h.advanceTo(plus(OPENS, time.MINUTE));

    const { report, logs, emf } = await o.run();
    expect(report.bought).toBe(1);
    const [ledger] = o.h.ledger(block.capacityReservationId);
    const fee = ledger!.upfrontFee;

    const decisions = logs.filter((l) => l.message === "decision");
    expect(decisions).toEqual([
      {
        level: "info",
        timestamp: expect.any(String),
        message: "decision",
        service: "cbm-tick",
        PK: block.PK,
        capacityReservationId: block.capacityReservationId,
        region: "us-east-1",
        decision: "purchase",
        reason: "not-required",
        window: END,
        offeringId: ledger!.offeringId,
        fee,
        currency: "USD",
        durationHours: 168,
      },
    ]);
    expect(logs.find((l) => l.message === "extension purchased")).toMatchObject({
      PK: block.PK,
      capacityReservationId: block.capacityReservationId,
      region: "us-east-1",
      fee,
      window: END,
    });
    const summary = logs.filter((l) => l.message === "tick done");
    expect(summary).toHaveLength(1);
    expect(summary[0]).toMatchObject({ due: 1, decisions: { purchase: 1 }, bought: 1, purchaseAttempts: 1, errors: 0, blocksAtRisk: 0 });
    expect(compareMoney(summary[0]!.spend.USD, fee)).toBe(0);

    expect(metric(emf, "Decisions", { kind: "purchase" })).toBe(1);
    expect(declaration(emf, "Decisions")).toMatchObject({
      namespace: "CapacityBlockManager",
      dimensions: ["stage", "kind"],
      unit: "Count",
    });
    expect(metric(emf, "TickHeartbeat")).toBe(1);
    expect(declaration(emf, "TickHeartbeat")).toMatchObject({ dimensions: ["stage"], unit: "Count" });
    expect(declaration(emf, "TickHeartbeat").doc.stage).toBe("test");
    expect(metric(emf, "Ticks")).toBe(1);
    expect(metric(emf, "BlocksDue")).toBe(1);
    expect(metric(emf, "Purchases")).toBe(1);
    // The fee as a number, for the metric only: the report keeps the decimal string.
    expect(metric(emf, "Spend", { currency: "USD" })).toBe(Number(fee));
    expect(declaration(emf, "Spend")).toMatchObject({ dimensions: ["stage", "currency"], unit: "None" });
    expect(metric(emf, "TickDuration")).toBeGreaterThanOrEqual(0);
    expect(declaration(emf, "TickDuration").unit).toBe("Milliseconds");
    for (const zero of ["Ec2Errors", "Ec2Throttles", "TickErrors", "PaymentFailed", "ApprovalsPending", "BlocksAtRisk"])
      expect(metric(emf, zero), zero).toBe(0);
    expect(metric(emf, "NotificationsSent")).toBe(1);
  });

  it("waiting: the decision line carries the wait reason, nothing bought", async () => {
    const o = await observed();
    const block = await o.h.register({ endDate: END });
    const { logs, emf } = await o.run();
    expect(logs.find((l) => l.message === "decision")).toMatchObject({
      PK: block.PK,
      decision: "wait",
      reason: "window-not-open",
      until: expect.any(String),
    });
    expect(metric(emf, "Decisions", { kind: "wait" })).toBe(1);
    expect(metric(emf, "Purchases")).toBe(0);
    expect(metric(emf, "Spend")).toBeUndefined();
  });

  it("a block ending within 24 h that waits for approval: request-approval line with its notice, ApprovalsPending, BlocksAtRisk, a warning naming the block", async () => {
    const o = await observed({ canReachApprover: true });
    const soon = "2025-06-02T11:30:00.000Z"; // 23.5 h after START
    const block = await o.h.register({ endDate: soon });
    const { logs, emf } = await o.run();
    expect(logs.find((l) => l.message === "decision")).toMatchObject({
      PK: block.PK,
      capacityReservationId: block.capacityReservationId,
      region: "us-east-1",
      decision: "request-approval",
      reason: "first",
      window: soon,
      fee: expect.stringMatching(/^\d/),
    });
    expect(metric(emf, "ApprovalsPending")).toBe(1);
    expect(metric(emf, "BlocksAtRisk")).toBe(1);
    const warning = logs.find((l) => l.message.startsWith("block at risk"));
    expect(warning).toMatchObject({
      level: "warn",
      PK: block.PK,
      capacityReservationId: block.capacityReservationId,
      endDate: soon,
      status: "awaiting-approval",
      hoursLeft: 23.5,
    });

    // The sweep reads every block at most every 5 minutes; in between BlocksAtRisk is not written.
    o.h.advance(time.MINUTE);
    const next = await o.run();
    expect(metric(next.emf, "BlocksAtRisk")).toBeUndefined();
    o.h.advance(5 * time.MINUTE);
    expect(metric((await o.run()).emf, "BlocksAtRisk")).toBe(1);
  });

  it("a payment-failed extension: PaymentFailed = 1 in the tick that records it, with a warning line", async () => {
    const o = await observed();
    const block = await o.h.register({ endDate: END, policy: { requireApproval: false } });
    o.h.control.injectFault({ action: "PurchaseCapacityBlockExtension", kind: "payment-failure" });
    await o.h.advanceTo(OPENS);
    await o.run();
    let failed = 0;
    let warned: Json | undefined;
    for (let i = 0; i < 200 && (await o.h.get(block.PK)).status !== "payment-failed"; i++) {
      o.h.advance(5 * time.MINUTE);
      const { logs, emf } = await o.run();
      failed += metric(emf, "PaymentFailed") ?? 0;
      warned ??= logs.find((l) => l.message === "extension payment failed");
    }
    expect((await o.h.get(block.PK)).status).toBe("payment-failed");
    expect(failed).toBe(1);
    expect(warned).toMatchObject({
      level: "warn",
      PK: block.PK,
      capacityReservationId: block.capacityReservationId,
      window: END,
      currency: "USD",
    });
    // Later ticks stop with reason payment-failed but do not count it again.
    o.h.advance(time.HOUR);
    const later = await o.run();
    expect(metric(later.emf, "PaymentFailed") ?? 0).toBe(0);
  });

  it("EC2 throttling or errors: counted per failed call as Ec2Throttles or Ec2Errors, logged with the block", async () => {
    const o = await observed();
    const block = await o.h.register({ endDate: END });
    // Three times: the tick's describes get the production client's three attempts, so one failed call is three refusals.
    o.h.control.injectFault({ action: "DescribeCapacityReservations", kind: "throttle", times: 3 });
    const first = await o.run();
    expect(metric(first.emf, "Ec2Throttles")).toBe(1);
    expect(metric(first.emf, "Ec2Errors")).toBe(0);
    expect(first.logs.find((l) => l.message === "throttled by EC2; backing off")).toMatchObject({
      level: "warn",
      PK: block.PK,
      region: "us-east-1",
    });

    o.h.advance(time.DAY);
    o.h.control.injectFault({ action: "DescribeCapacityBlockExtensionHistory", kind: "error-before", times: 3 });
    const second = await o.run();
    expect(metric(second.emf, "Ec2Errors")).toBe(1);
    expect(metric(second.emf, "TickErrors")).toBe(1);
    expect(second.logs.find((l) => l.message === "block failed; backing off")).toMatchObject({
      level: "error",
      PK: block.PK,
      capacityReservationId: block.capacityReservationId,
    });
    expect(metric(second.emf, "TickHeartbeat")).toBe(1);
  });
});

describe("tick handler failure", () => {
  it("a tick that throws: TickErrors = 1, no heartbeat, one error line with the request id, metrics flushed anyway", async () => {
    const logLines: string[] = [];
    const emfLines: string[] = [];
    const logger = createLogger({ sink: { write: (l) => logLines.push(l) } });
    const metrics = createMetrics({ sink: { write: (l) => emfLines.push(l) }, defaults: { stage: "test" } });
    const handler = createTickHandler({ tick: async () => Promise.reject(new Error("table unreachable")), logger, metrics });
    await expect(handler({}, { awsRequestId: "lambda-req-2" } as Context)).rejects.toThrow("table unreachable");
    const emf = emfLines.map((l) => JSON.parse(l) as Json);
    expect(metric(emf, "TickErrors")).toBe(1);
    expect(metric(emf, "Ticks")).toBe(1);
    expect(metric(emf, "TickHeartbeat")).toBeUndefined();
    const lines = logLines.map((l) => JSON.parse(l) as Json);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: "error",
      message: "tick failed",
      awsRequestId: "lambda-req-2",
      error: { name: "Error", message: "table unreachable" },
    });
  });
});
