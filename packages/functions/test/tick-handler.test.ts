import { describe, expect, it } from "vitest";
import { emptyTickReport, type Block, type ExtensionOffering } from "@cbm/core";
import { accountFromFunctionArn, createTickHandler } from "../src/composition/handlers/tick";
import type { Tick, TickReport } from "../src/tick/create-tick";
import { silentLogger } from "../src/platform/observability/logger";
import { approvalNotification } from "../src/tick/notifications";

const REPORT: TickReport = { ...emptyTickReport(), durationMs: 1 };

function recordingTick() {
  const calls: { deadline?: Date }[] = [];
  const tick: Tick = async (opts = {}) => {
    calls.push(opts);
    return REPORT;
  };
  return { tick, calls };
}

const context = (remainingMs: number, arn = "arn:aws:lambda:us-east-1:123456789012:function:cbm-tick") =>
  ({ getRemainingTimeInMillis: () => remainingMs, invokedFunctionArn: arn, callbackWaitsForEmptyEventLoop: true }) as never;

describe("tick handler (Middy, EventBridge)", () => {
  it("passes a deadline of Lambda's remaining time minus the safety margin", async () => {
    const { tick, calls } = recordingTick();
    const handler = createTickHandler({ tick, logger: silentLogger, safetyMs: 15_000 });
    const before = Date.now();
    const report = await handler({ source: "aws.events" }, context(55_000));
    expect(report).toEqual(REPORT);
    const deadline = calls[0]!.deadline!.getTime();
    expect(deadline).toBeGreaterThanOrEqual(before + 40_000 - 50);
    expect(deadline).toBeLessThanOrEqual(Date.now() + 40_000);
  });

  it("builds the tick once, for the account of the invoked function when ACCOUNT_ID is unset", async () => {
    const { tick } = recordingTick();
    const accounts: string[] = [];
    const handler = createTickHandler({ logger: silentLogger, tickForAccount: (a) => (accounts.push(a), tick) });
    await handler({}, context(30_000));
    await handler({}, context(30_000));
    expect(accounts).toEqual(["123456789012"]);
    expect(accountFromFunctionArn("arn:aws:lambda:eu-west-1:999988887777:function:x")).toBe("999988887777");
    expect(accountFromFunctionArn(undefined)).toBeUndefined();
  });

  it("fails loudly when the account cannot be known", async () => {
    const handler = createTickHandler({ logger: silentLogger, tickForAccount: () => recordingTick().tick });
    await expect(handler({}, context(30_000, ""))).rejects.toThrow(/ACCOUNT_ID/);
  });
});

describe("notification texts", () => {
  const block = {
    PK: "team-a.p5",
    name: "team-a",
    capacityReservationId: "cr-0a1b2c3d4e5f60718",
    region: "us-east-2",
    endDate: "2025-06-10T11:30:00.000Z",
    instanceType: "p5.48xlarge",
    instanceCount: 2,
  } as Block;
  const offering: ExtensionOffering = {
    offeringId: "cbe-0123456789abcdef0",
    capacityReservationId: block.capacityReservationId,
    durationHours: 168,
    startDate: "2025-06-10T11:30:00.000Z",
    endDate: "2025-06-17T11:30:00.000Z",
    upfrontFee: "10571.90",
    currencyCode: "USD",
  };
  const now = new Date("2025-06-08T11:31:00.000Z");

  it("names the block, its end, the time left, the offering, how to answer with curl or the CLI", () => {
    const n = approvalNotification(block, block.endDate!, offering, "first", 1, now, {
      apiUrl: "https://abc.execute-api.us-east-1.amazonaws.com/prod/",
    });
    expect(n.key).toBe("team-a.p5#2025-06-10T11:30:00.000Z#first#1");
    expect(n.kind).toBe("approval-request");
    for (const s of [
      "team-a.p5",
      "cr-0a1b2c3d4e5f60718",
      "us-east-2",
      "2025-06-10T11:30:00.000Z",
      "47 h 59 min",
      "7 days",
      "10571.90 USD",
    ]) {
      expect(n.body).toContain(s);
    }
    expect(n.body).toContain('curl -X PATCH "https://abc.execute-api.us-east-1.amazonaws.com/prod/team-a.p5" -H "x-api-key: $API_KEY"');
    expect(n.body).toContain('curl -X POST "https://abc.execute-api.us-east-1.amazonaws.com/prod/team-a.p5/deny"');
    expect(n.body).toContain("cbm approve team-a.p5");
    expect(n.body).toContain("cbm deny team-a.p5");
    expect(n.subject).toContain("10571.90 USD");
  });

  it("uses $API_URL when the URL is not configured", () => {
    expect(approvalNotification(block, block.endDate!, offering, "reminder", 2, now, {}).body).toContain('"$API_URL/team-a.p5"');
  });

  it("marks a last call as such", () => {
    const last = approvalNotification(block, block.endDate!, offering, "last-call", 3, now, {});
    expect(last.kind).toBe("approval-last-call");
    expect(last.subject).toContain("LAST CALL");
  });
});
