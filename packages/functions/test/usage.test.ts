import { describe, expect, it } from "vitest";
import { idleHours, usedInstanceHours } from "@cbm/core";
import { createDynamoUsageStore } from "../src/adapters/dynamo-usage-store";
import { createEc2CapacityProvider } from "../src/adapters/ec2-capacity-provider";
import { createEc2UsageProbe } from "../src/adapters/ec2-usage-probe";
import { createUlidIds } from "../src/adapters/ids";
import { createTick } from "../src/tick/create-tick";
import { sampleUsage } from "../src/usage/sample-usage";
import { useRequestWorld } from "./support/request-world";

/*
 * Usage and idle blocks: the sampler reads running instances from EC2 (total − available while active), keeps
 * hourly aggregates per block, and marks a block idle; a policy with skipExtensionWhenIdleHours then skips the
 * extension with one notice, and extends again once instances run.
 */
const w = useRequestWorld();
const CREDENTIALS = { accessKeyId: "AKIDLOCAL", secretAccessKey: "local" };

function sampler() {
  const usage = createDynamoUsageStore({ client: w.docClient, tableName: w.tableName });
  const probe = createEc2UsageProbe({ endpoint: w.emu.url, credentials: CREDENTIALS, describeMaxAttempts: 1 });
  return {
    usage,
    run: () => sampleUsage({ store: w.store, usage, probe, clock: w.clock, ids: createUlidIds(w.clock), notifier: w.outbox }),
  };
}

async function tick() {
  const ec2 = createEc2CapacityProvider({ endpoint: w.emu.url, credentials: CREDENTIALS, describeMaxAttempts: 1 });
  return createTick({ ...w.tickPorts(), ec2, ids: createUlidIds(w.clock) })();
}

const managedBlock = (policy: Record<string, unknown>) => w.managedBlock("busy-or-not", policy);

describe("usage", () => {
  it("records running instances per hour, bounded, with the last 24 h", async () => {
    const id = await managedBlock({ requireApproval: false });
    const s = sampler();
    w.emu.control.setRunning(id, 2);

    await s.run();
    w.emu.control.advance({ minutes: 30 });
    await s.run();
    w.emu.control.setRunning(id, 1);
    w.emu.control.advance({ minutes: 30 });
    await s.run();
    const u = await s.usage.get("busy-or-not");

    expect(u?.current).toMatchObject({ running: 1, total: 2, state: "active" });
    expect(u?.hours).toEqual([
      { hour: "2026-11-24T08", samples: 2, runningSum: 4, runningMax: 2, total: 2 },
      { hour: "2026-11-24T09", samples: 1, runningSum: 1, runningMax: 1, total: 2 },
    ]);
    expect(usedInstanceHours(u, w.clock.now().toISOString())).toEqual({ total: 3, last24h: 3 });
    expect(u?.idleSince).toBeNull();
  });

  it("skips a block's extension only while it has been idle for the policy's hours, with one notice", async () => {
    // The window opens at 2026-11-24 11:30 (24 h before the end), after two idle hours have been sampled.
    const id = await managedBlock({
      requireApproval: false,
      extendByDays: 1,
      lookaheadHours: 24,
      maxUpfrontFee: "10000",
      skipExtensionWhenIdleHours: 2,
    });
    const s = sampler();

    await tick();
    await s.run();
    w.emu.control.advance({ hours: 2 });
    await s.run();
    w.emu.control.advance({ hours: 2 });
    await tick();
    await tick();
    const skipped = await w.store.get("busy-or-not");
    const boughtWhileIdle = w.emu.control.ledger().filter((e) => e.capacityReservationId === id).length;
    w.emu.control.setRunning(id, 2);
    w.emu.control.advance({ minutes: 11 });
    await s.run();
    await tick();

    expect(idleHours(await s.usage.get("busy-or-not"), w.clock.now().toISOString())).toBe(0);
    expect(skipped).toMatchObject({ status: "denied", denial: { by: "cbm:idle", window: "2026-11-25T11:30:00.000Z" } });
    expect(w.outbox.list().filter((n) => n.pk === "busy-or-not" && /idle/.test(n.subject))).toHaveLength(1);
    expect((await w.store.get("busy-or-not"))?.denial ?? null).toBeNull();
    expect(boughtWhileIdle).toBe(0);
    expect(w.emu.control.ledger().filter((e) => e.capacityReservationId === id)).toHaveLength(1);
  });

  it("records the block's interconnect status with its usage, keeping each change", async () => {
    const id = await managedBlock({ requireApproval: false });
    const s = sampler();

    await s.run();
    w.emu.control.setInterconnectStatus(id, "impaired");
    w.emu.control.advance({ minutes: 11 });
    const report = await s.run();
    const u = await s.usage.get("busy-or-not");

    expect(report).toMatchObject({ sampled: 1, interconnectFailedRegions: [] });
    expect(u?.interconnect).toEqual({ status: "impaired", at: w.clock.now().toISOString(), since: w.clock.now().toISOString() });
    expect(u?.interconnectChanges?.map((c) => c.status)).toEqual(["ok", "impaired"]);
  });

  it("samples running instances, keeping the last interconnect status, when DescribeCapacityBlockStatus is throttled", async () => {
    const id = await managedBlock({ requireApproval: false });
    const s = sampler();
    await s.run();
    w.emu.control.setRunning(id, 1);
    w.emu.control.injectFault({ action: "DescribeCapacityBlockStatus", kind: "describe-limit", always: true });
    w.emu.control.advance({ minutes: 11 });

    const report = await s.run();
    const u = await s.usage.get("busy-or-not");

    expect(report).toMatchObject({ sampled: 1, failedRegions: [], interconnectFailedRegions: ["us-east-1"] });
    expect(u?.current.running).toBe(1);
    expect(u?.interconnect?.status).toBe("ok");
  });

  it("asks DescribeCapacityBlockStatus once per region for a page of blocks, by their cb- ids", async () => {
    await managedBlock({ requireApproval: false });
    const other = w.emu.control.seedBlock({ instanceType: "p5.48xlarge", instanceCount: 1, endDate: "2026-11-25T11:30:00Z" });
    await w.blocks.create({ PK: "second", capacityReservationId: other.capacityReservationId, region: "us-east-1" }, { actor: "test" });
    w.emu.control.resetCalls();

    await sampler().run();
    const calls = w.emu.control.calls().filter((c) => c.action === "DescribeCapacityBlockStatus");

    expect(calls).toHaveLength(1);
    expect((await sampler().usage.get("second"))?.interconnect?.status).toBe("ok");
  });

  it("drops a cb- id EC2 does not know from its batch, reading the others in two calls", async () => {
    const id = await managedBlock({});
    const cb = w.emu.control.reservation(id)!.capacityBlockId;
    const probe = createEc2UsageProbe({ endpoint: w.emu.url, credentials: CREDENTIALS, describeMaxAttempts: 1 });
    w.emu.control.resetCalls();

    const statuses = await probe.interconnect("us-east-1", [cb, "cb-0123456789abcdef0"]);

    expect([...statuses]).toEqual([[cb, "ok"]]);
    expect(w.emu.control.calls().filter((c) => c.action === "DescribeCapacityBlockStatus")).toHaveLength(2);
  });

  it("cuts a stalled DescribeCapacityBlockStatus at its call budget, still recording the instances", async () => {
    const id = await managedBlock({ requireApproval: false });
    w.emu.control.setRunning(id, 2);
    w.emu.control.injectFault({ action: "DescribeCapacityBlockStatus", kind: "latency", ms: 5_000, always: true });
    const usage = createDynamoUsageStore({ client: w.docClient, tableName: w.tableName });
    const probe = createEc2UsageProbe({ endpoint: w.emu.url, credentials: CREDENTIALS, describeMaxAttempts: 1, callBudgetMs: 300 });
    const started = Date.now();

    const report = await sampleUsage({ store: w.store, usage, probe, clock: w.clock, ids: createUlidIds(w.clock), notifier: w.outbox });

    expect(Date.now() - started).toBeLessThan(3_000);
    expect(report).toMatchObject({ sampled: 1, interconnectFailedRegions: ["us-east-1"] });
    expect((await usage.get("busy-or-not"))?.current.running).toBe(2);
  });
});
