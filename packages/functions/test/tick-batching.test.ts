import { describe, expect, it } from "vitest";
import { leaveIntent, time, useSchedulerHarness, wrapProvider, wrapStore, type SchedulerHarness } from "./support/scheduler-harness";

const START = "2025-06-01T12:00:00.000Z";
const END = "2025-06-10T11:30:00.000Z";
const OPENS = "2025-06-08T11:30:00.000Z";

const harness = useSchedulerHarness({ start: START });

const count = (h: SchedulerHarness, action: string) => h.control.calls().filter((c) => c.action === action).length;

describe("tick: batching, idle cost, deadline, concurrency", () => {
  it("one describe per region per page of due blocks; blocks that are not due cost nothing", async () => {
    const h = await harness();
    for (let i = 0; i < 6; i++) await h.register({ endDate: END });
    for (let i = 0; i < 4; i++) await h.register({ endDate: END, seed: { region: "us-west-2" } });
    const tick = h.makeTick({ pageSize: 4 });
    const r = await tick();
    expect(r).toMatchObject({ due: 10, processed: 10, skipped: 0, errors: 0 });
    const pages = Math.ceil(10 / 4);
    expect(count(h, "DescribeCapacityReservations")).toBeLessThanOrEqual(2 * pages);
    expect(count(h, "DescribeCapacityBlockExtensionHistory")).toBeLessThanOrEqual(2 * pages);

    h.control.resetCalls();
    h.advance(time.MINUTE);
    const idle = await tick();
    expect(idle).toMatchObject({ due: 0, processed: 0, writes: 0 });
    expect(h.control.calls()).toHaveLength(0);
  });

  it("a due block with nothing new costs one write (its next check), no history entry", async () => {
    const h = await harness();
    const block = await h.register({ endDate: END });
    await h.tick();
    const before = (await h.events(block.PK)).length;
    const b1 = await h.get(block.PK);
    await h.advanceTo(b1.nextCheckAt!);
    const r = await h.tick();
    expect(r).toMatchObject({ due: 1, writes: 1 });
    const b2 = await h.get(block.PK);
    expect(b2.status).toBe("waiting");
    expect(Date.parse(b2.nextCheckAt!)).toBeGreaterThan(Date.parse(b1.nextCheckAt!));
    expect(await h.events(block.PK)).toHaveLength(before);
  });

  it("takes no new work past the deadline", async () => {
    const h = await harness();
    const block = await h.register({ endDate: END });
    const r = await h.makeTick()({ deadline: new Date(Date.now() - 1) });
    expect(r).toMatchObject({ processed: 0, writes: 0, deadlineReached: true });
    expect((await h.get(block.PK)).status).toBe("registered");
    expect(h.control.calls()).toHaveLength(0);
  });

  it("keeps at most `concurrency` blocks in flight", async () => {
    const h = await harness();
    for (let i = 0; i < 8; i++) await h.register({ endDate: END, policy: { requireApproval: false } });
    await h.tick();
    await h.advanceTo(OPENS);
    let inFlight = 0;
    let peak = 0;
    const inner = h.ec2;
    const ec2 = wrapProvider(inner, {
      extensionOfferings: async (region, cr, hours) => {
        peak = Math.max(peak, ++inFlight);
        await new Promise((r) => setTimeout(r, 5));
        try {
          return await inner.extensionOfferings(region, cr, hours);
        } finally {
          inFlight--;
        }
      },
    });
    const r = await h.makeTick({ ec2, concurrency: 3 })();
    expect(r.purchases).toBe(8);
    expect(peak).toBeLessThanOrEqual(3);
    expect(peak).toBeGreaterThan(1);
  });

  it("a block that comes back in a later page of the same tick waits for the next tick", async () => {
    const h = await harness();
    const block = await h.register({ endDate: END, policy: { requireApproval: false } });
    await h.tick();
    await h.advanceTo(OPENS);
    // A stale intent (never reached EC2, older than the settle grace): this tick settles it as not bought.
    const createdAt = new Date(h.clock.now().getTime() - 10 * time.MINUTE).toISOString();
    await leaveIntent(h, block.PK, END, createdAt);
    const inner = h.store;
    // The due index hands the (now rewritten, still due) block out again in a second page.
    const store = wrapStore(inner, {
      findDue: async (now, opts) => {
        const page = await inner.findDue(now, { ...opts, cursor: undefined });
        return opts.cursor ? { items: page.items } : { items: page.items, cursor: "again" };
      },
    });
    const r = await h.makeTick({ store })();
    expect(r.decisions["settle-intent"]).toBe(1);
    expect(r.purchaseAttempts).toBe(0);
    expect(h.ledger(block.capacityReservationId)).toHaveLength(0);
    h.advance(time.MINUTE);
    expect((await h.tick()).purchases).toBe(1);
  });
});
