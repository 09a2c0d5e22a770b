import {
  DescribeCapacityBlockExtensionHistoryCommand,
  DescribeCapacityBlockExtensionOfferingsCommand,
  DescribeCapacityBlockOfferingsCommand,
  DescribeCapacityReservationsCommand,
  PurchaseCapacityBlockExtensionCommand,
  type EC2Client,
} from "@aws-sdk/client-ec2";
import { beforeEach, describe, expect, it } from "vitest";
import type { EmulatorHandle } from "../src/index";
import { START, ec2, expectEc2Error, useEmulator } from "./helpers";

let h: EmulatorHandle;
let once: EC2Client; // maxAttempts 1: retries would hide the fault
let retrying: EC2Client; // SDK defaults: 3 attempts
let cr: string;
useEmulator((handle) => {
  h = handle;
  once = ec2(h, { maxAttempts: 1 });
  retrying = ec2(h);
});
// Registered after useEmulator's reset, so the block is seeded into the freshly reset emulator.
beforeEach(() => {
  cr = h.control.seedBlock({ endDate: "2026-11-26T11:30:00Z" }).capacityReservationId;
});

const describeReservations = (c: EC2Client = once) => c.send(new DescribeCapacityReservationsCommand({}));
const offer = async (c: EC2Client = once, id = cr) =>
  (await c.send(new DescribeCapacityBlockExtensionOfferingsCommand({ CapacityReservationId: id, CapacityBlockExtensionDurationHours: 24 })))
    .CapacityBlockExtensionOfferings ?? [];
const purchase = async (c: EC2Client = once) => {
  const [offering] = await offer();
  return c.send(
    new PurchaseCapacityBlockExtensionCommand({
      CapacityReservationId: cr,
      CapacityBlockExtensionOfferingId: offering!.CapacityBlockExtensionOfferingId,
    }),
  );
};

describe("throttling", () => {
  it("RequestLimitExceeded 503 is retried by the SDK, so a one-time fault still succeeds", async () => {
    h.control.injectFault({ action: "DescribeCapacityReservations", kind: "throttle" });
    const out = await describeReservations(retrying);
    expect(out.$metadata.attempts).toBe(2);
    const calls = h.control.calls().filter((c) => c.action === "DescribeCapacityReservations");
    expect(calls.map((c) => [c.status, c.errorCode, c.attempt?.split(";")[0]])).toEqual([
      [503, "RequestLimitExceeded", "attempt=1"],
      [200, undefined, "attempt=2"],
    ]);
  });

  it("RequestLimitExceeded reaches a caller without retries", async () => {
    h.control.injectFault({ action: "*", kind: "throttle" });
    const err = await expectEc2Error(describeReservations(), "RequestLimitExceeded", 503);
    expect(err.$fault).toBe("server");
    await describeReservations(); // used up
  });

  it("CapacityBlockDescribeLimitExceeded 400 is not retried by the SDK", async () => {
    h.control.injectFault({ action: "DescribeCapacityBlockOfferings", kind: "describe-limit", times: 1 });
    await expectEc2Error(
      retrying.send(new DescribeCapacityBlockOfferingsCommand({ CapacityDurationHours: 24, InstanceType: "p5.48xlarge" })),
      "CapacityBlockDescribeLimitExceeded",
      400,
    );
    expect(h.control.calls().filter((c) => c.action === "DescribeCapacityBlockOfferings")).toHaveLength(1);
  });
});

describe("5xx around a purchase", () => {
  it("error-before: fails with InternalError 500 before anything is bought", async () => {
    h.control.injectFault({ action: "PurchaseCapacityBlockExtension", kind: "error-before" });
    await expectEc2Error(purchase(), "InternalError", 500);
    expect(h.control.ledger()).toEqual([]);
    expect(h.control.extensions(cr)).toEqual([]);
  });

  it("error-after: the caller sees InternalError 500 but the purchase took effect", async () => {
    h.control.injectFault({ action: "PurchaseCapacityBlockExtension", kind: "error-after" });
    await expectEc2Error(purchase(), "InternalError", 500);
    expect(h.control.ledger()).toEqual([expect.objectContaining({ capacityReservationId: cr, faultAfter: true })]);
    const history = await once.send(new DescribeCapacityBlockExtensionHistoryCommand({ CapacityReservationIds: [cr] }));
    expect(history.CapacityBlockExtensions?.map((e) => e.CapacityBlockExtensionStatus)).toEqual(["payment-pending"]);
  });

  it("error-after with SDK retries: the retry is refused because the first purchase is pending (no double buy)", async () => {
    h.control.injectFault({ action: "PurchaseCapacityBlockExtension", kind: "error-after" });
    await expectEc2Error(purchase(retrying), "IncorrectState", 400);
    expect(h.control.ledger()).toHaveLength(1);
  });
});

describe("latency", () => {
  it("holds the response past the caller's timeout while the purchase still takes effect", async () => {
    h.control.injectFault({ action: "PurchaseCapacityBlockExtension", kind: "latency", ms: 400 });
    const impatient = ec2(h, { maxAttempts: 1, requestTimeout: 100 });
    const [offering] = await offer();
    const err = await impatient
      .send(
        new PurchaseCapacityBlockExtensionCommand({
          CapacityReservationId: cr,
          CapacityBlockExtensionOfferingId: offering!.CapacityBlockExtensionOfferingId,
        }),
      )
      .catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).name).toBe("TimeoutError");
    expect(h.control.ledger()).toHaveLength(1);
  });

  it("with effect 'before' the purchase lands only after the delay", async () => {
    h.control.injectFault({ action: "PurchaseCapacityBlockExtension", kind: "latency", ms: 300, effect: "before" });
    const impatient = ec2(h, { maxAttempts: 1, requestTimeout: 50 });
    const [offering] = await offer();
    const call = impatient.send(
      new PurchaseCapacityBlockExtensionCommand({
        CapacityReservationId: cr,
        CapacityBlockExtensionOfferingId: offering!.CapacityBlockExtensionOfferingId,
      }),
    );
    await expect(call).rejects.toMatchObject({ name: "TimeoutError" });
    expect(h.control.ledger()).toHaveLength(0);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(h.control.ledger()).toHaveLength(1);
  });

  it("slows a describe without changing its answer", async () => {
    h.control.injectFault({ action: "DescribeCapacityReservations", kind: "latency", ms: 150 });
    const started = Date.now();
    const out = await describeReservations();
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(out.CapacityReservations).toHaveLength(1);
  });
});

describe("empty offerings, matching and bookkeeping", () => {
  it("empty-offerings empties the next offering search only", async () => {
    h.control.injectFault({ action: "DescribeCapacityBlockExtensionOfferings", kind: "empty-offerings" });
    expect(await offer()).toEqual([]);
    expect(await offer()).toHaveLength(1);
  });

  it("fires only for the matched reservation, N times", async () => {
    const other = h.control.seedBlock({ endDate: "2026-11-27T11:30:00Z" }).capacityReservationId;
    h.control.injectFault({ action: "*", kind: "empty-offerings", times: 2, match: { capacityReservationId: cr } });
    expect(await offer(once, other)).toHaveLength(1);
    expect(await offer()).toEqual([]);
    expect(await offer()).toEqual([]);
    expect(await offer()).toHaveLength(1);
  });

  it("always-on faults keep firing until cleared", async () => {
    h.control.injectFault({ action: "DescribeCapacityReservations", kind: "error-before", always: true });
    for (let i = 0; i < 3; i++) await expectEc2Error(describeReservations(), "InternalError", 500);
    expect(h.control.faults()).toEqual([expect.objectContaining({ kind: "error-before", remaining: Infinity, fired: 3 })]);
    h.control.clearFaults();
    expect((await describeReservations()).CapacityReservations).toHaveLength(1);
  });

  it("probability faults are reproducible from their seed", async () => {
    const run = async () => {
      h.control.clearFaults();
      h.control.injectFault({ action: "DescribeCapacityReservations", kind: "throttle", always: true, probability: 0.5, seed: 42 });
      const outcomes: string[] = [];
      for (let i = 0; i < 16; i++)
        outcomes.push(
          await describeReservations().then(
            () => "ok",
            (e: Error) => e.name,
          ),
        );
      return outcomes.join(",");
    };
    const first = await run();
    expect(await run()).toBe(first);
    expect(first).toContain("ok");
    expect(first).toContain("RequestLimitExceeded");
  });

  it("rejects malformed fault specs", () => {
    expect(() => h.control.injectFault({ action: "*", kind: "meteor" as never })).toThrow(/Unknown fault kind/);
    expect(() => h.control.injectFault({ action: "*", kind: "latency" })).toThrow(/ms/);
    expect(() => h.control.injectFault({ action: "*", kind: "throttle", probability: 2 })).toThrow(/probability/);
    expect(() => h.control.injectFault({ action: "", kind: "throttle" })).toThrow(/action/);
  });

  it("records every call with its request id", async () => {
    const out = await describeReservations();
    const [call] = h.control.calls();
    expect(call).toMatchObject({
      action: "DescribeCapacityReservations",
      region: "us-east-1",
      status: 200,
      requestId: out.$metadata.requestId,
      at: START,
    });
  });

  it("empties the call record on resetCalls", async () => {
    await describeReservations();
    h.control.resetCalls();
    expect(h.control.calls()).toEqual([]);
  });
});
