import { describe, expect, it } from "vitest";
import { type Block, InfrastructureError, compareMoney } from "@cbm/core";
import { leaveIntent, time, useSchedulerHarness, wrapProvider, wrapStore, type SchedulerHarness } from "./support/scheduler-harness";

const START = "2025-06-01T12:00:00.000Z";
const END = "2025-06-10T11:30:00.000Z";
const OPENS = "2025-06-08T11:30:00.000Z";
const PAID_END = "2025-06-17T11:30:00.000Z";

const harness = useSchedulerHarness({ start: START });

/** Registers an auto-buying block, lets the first tick read EC2, and moves to the opening of its window. */
async function openWindow(h: SchedulerHarness): Promise<Block> {
  const block = await h.register({ endDate: END, policy: { requireApproval: false } });
  await h.tick();
  await h.advanceTo(OPENS);
  return block;
}

/** EC2's extensions of `cr` per window (the end date each was bought from). */
function purchasesPerWindow(h: SchedulerHarness, cr: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const e of h.control.extensions(cr)) out[e.capacityBlockExtensionStartDate] = (out[e.capacityBlockExtensionStartDate] ?? 0) + 1;
  return out;
}

/** Ticks until the extension is paid and recorded, then checks the block's books: one purchase, one fee, end moved. */
async function expectSettledOnce(h: SchedulerHarness, block: Block): Promise<void> {
  await h.tickUntil(async () => (await h.get(block.PK)).endDate === PAID_END, { stepMs: 2 * time.MINUTE, max: 20 });
  // A few more ticks in the same (now closed) window must not buy again.
  for (let i = 0; i < 3; i++) {
    h.advance(time.MINUTE);
    await h.tick();
  }
  const ledger = h.ledger(block.capacityReservationId);
  expect(ledger).toHaveLength(1);
  expect(purchasesPerWindow(h, block.capacityReservationId)).toEqual({ [END]: 1 });
  const b = await h.get(block.PK);
  expect(b.extensionsPurchased).toBe(1);
  expect(compareMoney(b.spent, ledger[0]!.upfrontFee)).toBe(0);
  expect(b.intent ?? null).toBeNull();
}

describe("fault tests: exactly one purchase per window", () => {
  it("5xx after the purchase took effect: the intent is settled as purchased from EC2's history", async () => {
    const h = await harness();
    const block = await openWindow(h);
    h.control.injectFault({ action: "PurchaseCapacityBlockExtension", kind: "error-after" });
    const r1 = await h.tick();
    expect(r1).toMatchObject({ purchaseAttempts: 1, purchases: 0 });
    let b = await h.get(block.PK);
    expect(b.status).toBe("purchasing");
    expect(b.intent).toBeTruthy();
    expect(h.ledger(block.capacityReservationId)[0]?.faultAfter).toBe(true);

    h.advance(time.MINUTE);
    const r2 = await h.tick();
    expect(r2.purchaseAttempts).toBe(0);
    b = await h.get(block.PK);
    expect(b.intent ?? null).toBeNull();
    expect(b.pendingExtension?.offeringId).toBe(h.ledger(block.capacityReservationId)[0]!.offeringId);
    expect((await h.events(block.PK)).map((e) => e.type)).toEqual(
      expect.arrayContaining(["purchase-ambiguous", "intent-settled", "purchased"]),
    );
    await expectSettledOnce(h, block);
  });

  it("5xx before any effect: the intent is settled as not bought after the grace, then bought once", async () => {
    const h = await harness();
    const block = await openWindow(h);
    h.control.injectFault({ action: "PurchaseCapacityBlockExtension", kind: "error-before" });
    expect(await h.tick()).toMatchObject({ purchaseAttempts: 1, purchases: 0 });
    expect(h.ledger(block.capacityReservationId)).toHaveLength(0);
    expect((await h.get(block.PK)).intent).toBeTruthy();
    await h.tickUntil(async () => h.ledger(block.capacityReservationId).length === 1, { stepMs: time.MINUTE, max: 6 });
    await expectSettledOnce(h, block);
  });

  it("a timeout (latency beyond the client's timeout): settled from history, no second buy", async () => {
    const h = await harness({ requestTimeoutMs: 150 });
    const block = await openWindow(h);
    h.control.injectFault({ action: "PurchaseCapacityBlockExtension", kind: "latency", ms: 1_000 });
    const r1 = await h.tick();
    expect(r1).toMatchObject({ purchaseAttempts: 1, purchases: 0 });
    expect((await h.get(block.PK)).lastError?.code).toBeTruthy();
    await expectSettledOnce(h, block);
  });

  it("crash between intent and purchase (the call never left): settled as not bought after the grace, bought once later", async () => {
    const h = await harness();
    const block = await openWindow(h);
    const crashing = h.makeTick({
      ec2: wrapProvider(h.ec2, {
        purchaseExtension: async () => {
          throw new Error("process crashed before the request was sent");
        },
      }),
    });
    await crashing();
    expect((await h.get(block.PK)).intent).toBeTruthy();
    expect(h.ledger(block.capacityReservationId)).toHaveLength(0);

    // Within the settle grace nothing is bought: EC2's history might still be catching up.
    h.advance(time.MINUTE);
    expect((await h.tick()).purchaseAttempts).toBe(0);
    await h.tickUntil(async () => h.ledger(block.capacityReservationId).length === 1, { stepMs: time.MINUTE, max: 6 });
    expect((await h.events(block.PK)).some((e) => e.type === "intent-settled" && e.data?.outcome === "not-purchased")).toBe(true);
    await expectSettledOnce(h, block);
  });

  it("crash right after the intent write (process died, nothing else written): same outcome", async () => {
    const h = await harness();
    const block = await openWindow(h);
    const now = h.clock.now().toISOString();
    await leaveIntent(h, block.PK, END, now, { nextCheckAt: now });
    expect((await h.tick()).purchaseAttempts).toBe(0);
    await h.tickUntil(async () => h.ledger(block.capacityReservationId).length === 1, { stepMs: time.MINUTE, max: 6 });
    await expectSettledOnce(h, block);
  });

  it("crash between purchase and settlement: the next tick settles from history without buying again", async () => {
    const h = await harness();
    const block = await openWindow(h);
    const failingSettle = wrapStore(h.store, {
      update: async (next, expected, events) => {
        if (next.pendingExtension && !next.intent) throw new InfrastructureError("process died before the settlement write", "Crash");
        return h.store.update(next, expected, events);
      },
    });
    const r1 = await h.makeTick({ store: failingSettle })();
    expect(r1.purchases).toBe(1);
    const b = await h.get(block.PK);
    expect(b.intent).toBeTruthy();
    expect(b.pendingExtension ?? null).toBeNull();
    // Bought and Spend count the extension once: not here, where it could not be recorded, but where it is settled.
    expect(r1.bought).toBe(0);
    expect(r1.spend).toEqual({});
    h.advance(time.MINUTE);
    const r2 = await h.tick();
    const [paid] = h.ledger(block.capacityReservationId);
    expect(r2.purchases).toBe(0);
    expect(r2.bought).toBe(1);
    expect(compareMoney(r2.spend[paid!.currencyCode]!, paid!.upfrontFee)).toBe(0);
    await expectSettledOnce(h, block);
  });

  it("two ticks at once (separate instances): one purchase per block", async () => {
    const h = await harness();
    const blocks: Block[] = [];
    for (let i = 0; i < 4; i++) blocks.push(await h.register({ endDate: END, policy: { requireApproval: false } }));
    await h.tick();
    await h.advanceTo(OPENS);
    const [a, b] = await Promise.all([h.makeTick()(), h.makeTick()()]);
    expect(a.purchaseAttempts + b.purchaseAttempts).toBe(4);
    for (const block of blocks) expect(h.ledger(block.capacityReservationId)).toHaveLength(1);
    // And again, overlapping, over the rest of the window.
    for (let i = 0; i < 5; i++) {
      h.advance(2 * time.MINUTE);
      await Promise.all([h.makeTick()(), h.makeTick()()]);
    }
    for (const block of blocks) {
      expect(purchasesPerWindow(h, block.capacityReservationId)).toEqual({ [END]: 1 });
      expect((await h.get(block.PK)).endDate).toBe(PAID_END);
    }
  });

  it("throttling on every call: backs off, buys nothing while throttled, then exactly once", async () => {
    const h = await harness();
    const block = await openWindow(h);
    h.control.injectFault({ action: "*", kind: "throttle", times: 5, probability: 1, seed: 7 });
    const r1 = await h.tick();
    expect(r1.throttled).toBe(1);
    let b = await h.get(block.PK);
    expect(b.status).toBe("throttled");
    expect(b.failures).toBe(1);
    const backoffMs = Date.parse(b.nextCheckAt!) - h.clock.now().getTime();
    expect(backoffMs).toBeGreaterThanOrEqual(5 * time.MINUTE);
    // Not due during the backoff: no EC2 calls at all.
    h.control.resetCalls();
    h.advance(time.MINUTE);
    expect((await h.tick()).due).toBe(0);
    expect(h.control.calls()).toHaveLength(0);
    await h.tickUntil(async () => h.ledger(block.capacityReservationId).length === 1, { stepMs: 10 * time.MINUTE, max: 30 });
    b = await h.get(block.PK);
    expect(b.failures ?? 0).toBe(0);
    await expectSettledOnce(h, block);
  });

  it("describe-limit on offerings backs off that block only", async () => {
    const h = await harness();
    const limited = await h.register({ endDate: END, policy: { requireApproval: false } });
    const other = await h.register({ endDate: END, policy: { requireApproval: false } });
    await h.tick();
    await h.advanceTo(OPENS);
    h.control.injectFault({
      action: "DescribeCapacityBlockExtensionOfferings",
      kind: "describe-limit",
      match: { capacityReservationId: limited.capacityReservationId },
    });
    const r = await h.tick();
    expect(r.throttled).toBe(1);
    expect((await h.get(limited.PK)).status).toBe("throttled");
    expect(h.ledger(other.capacityReservationId)).toHaveLength(1);
    await h.tickUntil(async () => h.ledger(limited.capacityReservationId).length === 1, { stepMs: 10 * time.MINUTE, max: 10 });
  });

  it("a concurrent API edit between decide and the intent write: no purchase that tick, exactly one later", async () => {
    const h = await harness();
    const block = await openWindow(h);
    let edited = false;
    const racing = wrapStore(h.store, {
      update: async (next, expected, events) => {
        if (next.intent && !edited) {
          edited = true;
          await h.api.update(block.PK, { name: "renamed while the tick decided" }, { actor: "bob" });
        }
        return h.store.update(next, expected, events);
      },
    });
    const r1 = await h.makeTick({ store: racing })();
    expect(r1).toMatchObject({ purchaseAttempts: 0, conflicts: 1 });
    expect(h.ledger(block.capacityReservationId)).toHaveLength(0);
    const b = await h.get(block.PK);
    expect(b.name).toBe("renamed while the tick decided");
    expect(b.intent ?? null).toBeNull();
    // The edit made the block due again at once (or it stays due): the next tick buys.
    await h.tickUntil(async () => h.ledger(block.capacityReservationId).length === 1, { stepMs: time.MINUTE, max: 3 });
    expect((await h.get(block.PK)).name).toBe("renamed while the tick decided");
    await expectSettledOnce(h, block);
  });

  it("a concurrent API edit after the purchase: the settlement is re-applied on the fresh record", async () => {
    const h = await harness();
    const block = await openWindow(h);
    let edited = false;
    const racing = wrapStore(h.store, {
      update: async (next, expected, events) => {
        if (next.pendingExtension && !next.intent && !edited) {
          edited = true;
          await h.api.update(block.PK, { name: "edited during the purchase" }, { actor: "bob" });
        }
        return h.store.update(next, expected, events);
      },
    });
    const r1 = await h.makeTick({ store: racing })();
    expect(r1).toMatchObject({ purchases: 1, conflicts: 1 });
    const b = await h.get(block.PK);
    expect(b.name).toBe("edited during the purchase");
    expect(b.pendingExtension).toBeTruthy();
    expect(b.intent ?? null).toBeNull();
    await expectSettledOnce(h, block);
  });

  it("one region failing does not stop another", async () => {
    const h = await harness();
    const east = await h.register({ endDate: END, policy: { requireApproval: false } });
    const west = await h.register({ endDate: END, seed: { region: "us-west-2" }, policy: { requireApproval: false } });
    await h.tick();
    await h.advanceTo(OPENS);
    const broken = h.makeTick({
      ec2: wrapProvider(h.ec2, {
        describeReservations: async (region, ids) => {
          if (region === "us-east-1") throw new InfrastructureError("us-east-1 is having a bad day", "ServiceUnavailable");
          return h.ec2.describeReservations(region, ids);
        },
      }),
    });
    const r = await broken();
    expect(r).toMatchObject({ errors: 1, purchases: 1 });
    expect((await h.get(east.PK)).status).toBe("error");
    expect(h.ledger(west.capacityReservationId)).toHaveLength(1);
    expect(h.ledger(east.capacityReservationId)).toHaveLength(0);
  });
});
