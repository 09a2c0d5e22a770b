import type { Context } from "aws-lambda";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startEmulator, type EmulatorHandle } from "@cbm/ec2-emulator";
import { ThrottledError, type BlockMarket } from "@cbm/core";
import { createEc2BlockMarket } from "../src/adapters/ec2-block-market";
import { staticSecretSource } from "../src/adapters/secrets-source";
import { createPlanningHandler } from "../src/composition/create-planning-handler";
import { searchOfferings } from "../src/requests/use-cases/search-offerings";
import { API_KEY, apiEvent, type CallOptions } from "./support/api";

const START = "2026-11-24T08:00:00.000Z";
const CREDENTIALS = { accessKeyId: "AKIDLOCAL", secretAccessKey: "local" };
const quiet = { error: () => {}, warn: () => {} };

let emu: EmulatorHandle;
let market: BlockMarket;
let sleeps: number[];

beforeAll(async () => {
  emu = await startEmulator({ port: 0, clock: { start: START } });
});
afterAll(() => emu.stop());
beforeEach(() => {
  emu.control.reset();
  emu.control.setClock(START);
  sleeps = [];
  market = createEc2BlockMarket({
    endpoint: emu.url,
    credentials: CREDENTIALS,
    describeMaxAttempts: 1,
    requestTimeoutMs: 2_000,
    describeLimitBackoffMs: [10, 20],
    sleep: async (ms) => void sleeps.push(ms),
  });
});

async function get(query: Record<string, string>, opts: CallOptions = {}) {
  const handler = createPlanningHandler({ market, secrets: staticSecretSource(API_KEY), defaultRegion: "us-east-1", logger: quiet });
  const res = await handler(apiEvent("GET", "/offerings", { query, ...opts }), { awsRequestId: "req-1" } as Context);
  return { status: res.statusCode, body: JSON.parse(res.body) };
}

describe("GET /offerings", () => {
  it("lists the offerings of every region, cheapest first, with the price per instance-hour", async () => {
    emu.control.setPrice({ instanceType: "p5.48xlarge", hourlyRate: "31.464" });

    const res = await get({ instanceType: "p5.48xlarge", instanceCount: "2", durationDays: "2", regions: "us-east-1,us-west-2" });

    expect(res.status).toBe(200);
    expect(res.body.regions).toEqual([
      { region: "us-east-1", status: "ok", offerings: 3 },
      { region: "us-west-2", status: "ok", offerings: 3 },
    ]);
    expect(res.body.offerings).toHaveLength(6);
    expect(res.body.offerings[0]).toMatchObject({
      region: "us-east-1",
      availabilityZone: "us-east-1a",
      upfrontFee: "3020.54",
      pricePerInstanceHour: "31.463958",
      startDate: "2026-11-24T11:30:00.000Z",
    });
    const fees = res.body.offerings.map((o: { upfrontFee: string }) => Number(o.upfrontFee));
    expect(fees).toEqual([...fees].sort((a, b) => a - b));
  });

  it("orders offerings of equal fee by start, then region", async () => {
    const found = await searchOfferings(market, {
      instanceType: "p5.48xlarge",
      instanceCount: 1,
      durationHours: 24,
      regions: ["eu-west-1", "us-east-1"],
    });

    expect(found.offerings.map((o) => [o.region, o.startDate])).toEqual([
      ["eu-west-1", "2026-11-24T11:30:00.000Z"],
      ["us-east-1", "2026-11-24T11:30:00.000Z"],
      ["eu-west-1", "2026-11-25T11:30:00.000Z"],
      ["us-east-1", "2026-11-25T11:30:00.000Z"],
      ["eu-west-1", "2026-11-26T11:30:00.000Z"],
      ["us-east-1", "2026-11-26T11:30:00.000Z"],
    ]);
  });

  it("backs off on CapacityBlockDescribeLimitExceeded, then finds the offerings", async () => {
    emu.control.injectFault({ action: "DescribeCapacityBlockOfferings", kind: "describe-limit", times: 2 });

    const res = await get({ instanceType: "p5.48xlarge", durationDays: "1" });

    expect(res.status).toBe(200);
    expect(res.body.offerings).toHaveLength(3);
    expect(sleeps).toEqual([10, 20]);
  });

  it("gives up with ThrottledError when the only region stays limited after the backoff", async () => {
    emu.control.injectFault({ action: "DescribeCapacityBlockOfferings", kind: "describe-limit", times: 3 });

    const found = await searchOfferings(market, {
      instanceType: "p5.48xlarge",
      instanceCount: 1,
      durationHours: 24,
      regions: ["us-east-1"],
    }).catch((e: unknown) => e);
    expect(found).toBeInstanceOf(ThrottledError);
    expect(sleeps).toEqual([10, 20]);
  });

  it("answers 503 when every region is throttled, never an empty list", async () => {
    emu.control.injectFault({ action: "DescribeCapacityBlockOfferings", kind: "describe-limit", always: true });

    const res = await get({ instanceType: "p5.48xlarge", durationDays: "1", regions: "us-east-1,us-west-2" });

    expect(res.status).toBe(503);
    expect(res.body.code).toBe("THROTTLED");
  });

  it("reports a failed region beside the regions that answered", async () => {
    emu.control.setCapacity({ region: "us-west-2", available: false });
    emu.control.injectFault({ action: "DescribeCapacityBlockOfferings", kind: "error-before", times: 1 });

    const found = await searchOfferings(market, {
      instanceType: "p5.48xlarge",
      instanceCount: 1,
      durationHours: 24,
      regions: ["us-east-1", "us-west-2"],
    });

    expect(found.regions.map((r) => r.status).sort()).toEqual(["failed", "ok"]);
  });

  it("refuses with 400 a duration off the ladder, an unknown parameter, or both durations", async () => {
    const offLadder = await get({ instanceType: "p5.48xlarge", durationHours: "30" });
    const unknown = await get({ instanceType: "p5.48xlarge", durationDays: "1", colour: "blue" });
    const both = await get({ instanceType: "p5.48xlarge", durationDays: "1", durationHours: "24" });

    expect([offLadder.status, unknown.status, both.status]).toEqual([400, 400, 400]);
    expect(offLadder.body.issues[0].field).toBe("durationHours");
  });

  it("needs the API key", async () => {
    const res = await get({ instanceType: "p5.48xlarge", durationDays: "1" }, { apiKey: "wrong" });

    expect(res.status).toBe(403);
  });
});
