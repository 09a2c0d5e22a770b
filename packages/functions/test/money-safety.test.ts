import { describe, expect, it } from "vitest";
import { type Block, addMoney, compareMoney } from "@cbm/core";
import { time, useSchedulerHarness, wrapProvider, type SchedulerHarness } from "./support/scheduler-harness";

/*
 * Regressions of issue 13's six findings, each against DynamoDB Local and the EC2 emulator over HTTP: CBM must
 * never spend money nobody authorized. Each test checks the emulator's ledger, EC2's own record of what was bought.
 */

const START = "2025-06-01T12:00:00.000Z";
const END = "2025-06-10T11:30:00.000Z";
const OPENS = "2025-06-08T11:30:00.000Z";

const harness = useSchedulerHarness({ start: START });

/** Registers a block, lets the first tick read EC2, and moves into its window. */
async function inWindow(h: SchedulerHarness, policy: Record<string, unknown>, pk?: string): Promise<Block> {
  const block = await h.register({ endDate: END, policy, ...(pk ? { name: pk } : {}) });
  await h.tick();
  await h.advanceTo(OPENS);
  return block;
}

/** Ticks into the window until the approval notice went out; returns the quoted fee. */
async function noticeSent(h: SchedulerHarness, block: Block): Promise<string> {
  await h.tick();
  const b = await h.get(block.PK);
  expect(b.status).toBe("awaiting-approval");
  return b.approvalRequest!.upfrontFee!;
}

const types = async (h: SchedulerHarness, pk: string) => (await h.events(pk)).map((e) => e.type).reverse();

describe("finding 1: an approval covers the terms it was given for", () => {
  it("does not buy 28 days on an approval of the 7-day quote, voiding it to ask again once", async () => {
    const h = await harness();
    const block = await inWindow(h, { requireApproval: true, maxUpfrontFee: "100000" });
    const quoted = await noticeSent(h, block);
    const { covers } = await h.api.approve(block.PK, { actor: "fin" });
    expect(covers).toContain(`7 days, for at most ${quoted} USD`);
    await h.api.update(block.PK, { policy: { extendByDays: 28 } }, { actor: "ops" });

    await h.tick();

    expect(h.ledger(block.capacityReservationId)).toHaveLength(0);
    const b = await h.get(block.PK);
    expect(b).toMatchObject({ status: "awaiting-approval", approval: null, approved: false });
    const voided = (await h.events(block.PK)).find((e) => e.type === "approval-voided");
    expect(voided?.message).toMatch(/duration 28 days is not the approved 7 days/);
    const notices = h.notes(block.PK).filter((n) => n.kind === "approval-request");
    expect(notices).toHaveLength(2);
    expect(notices[1]!.body).toMatch(/no longer covers this purchase: the duration 28 days/);
  });

  it("does not buy at a doubled price on an approval of the quoted fee", async () => {
    const h = await harness();
    const block = await inWindow(h, { requireApproval: true, maxUpfrontFee: "100000" });
    const quoted = await noticeSent(h, block);
    await h.api.approve(block.PK, { actor: "fin" });
    const r = h.control.reservation(block.capacityReservationId)!;
    const hourly = (Number(quoted) / 168 / r.totalInstanceCount) * 2;
    h.control.setPrice({ instanceType: r.instanceType, hourlyRate: hourly.toFixed(2) });

    await h.tick();

    expect(h.ledger(block.capacityReservationId)).toHaveLength(0);
    expect((await h.events(block.PK)).find((e) => e.type === "approval-voided")?.message).toMatch(/is above the approved/);
  });

  it("buys the new quote once a person approves it, only once", async () => {
    const h = await harness();
    const block = await inWindow(h, { requireApproval: true, maxUpfrontFee: "100000" });
    await noticeSent(h, block);
    await h.api.approve(block.PK, { actor: "fin" });
    await h.api.update(block.PK, { policy: { extendByDays: 14 } }, { actor: "ops" });
    await h.tick();
    await h.api.approve(block.PK, { actor: "fin" });

    await h.tick();
    await h.tick();

    const ledger = h.ledger(block.capacityReservationId);
    expect(ledger).toHaveLength(1);
    expect(ledger[0]!.durationHours).toBe(336);
  });
});

describe("finding 2: the first release's `approval` flag is the approval status, not the policy", () => {
  it("PUT approval: false keeps requireApproval, so nothing is bought without a person", async () => {
    const h = await harness();
    const block = await inWindow(h, { requireApproval: true });
    await h.api.update(block.PK, { approval: false }, { actor: "script" });

    await h.tick();
    await h.tick();

    expect((await h.get(block.PK)).policy.requireApproval).toBe(true);
    expect(h.ledger(block.capacityReservationId)).toHaveLength(0);
  });

  it("accepts the first release's body require_approval: true, approval: false", async () => {
    const h = await harness();
    const cr = h.control.seedBlock({ region: "us-east-1", instanceCount: 1, endDate: END }).capacityReservationId;
    const { block } = await h.api.create(
      { PK: "legacy", capacity_block_id: cr, region: "us-east-1", require_approval: true, approval: false },
      { actor: "script" },
    );
    expect(block).toMatchObject({ approved: false, policy: { requireApproval: true } });
  });

  it("PUT approval: true approves the window exactly as PATCH does, recorded with the actor", async () => {
    const h = await harness();
    const block = await inWindow(h, { requireApproval: true, maxUpfrontFee: "100000" });
    await noticeSent(h, block);
    await h.api.update(block.PK, { approval: true }, { actor: "legacy-script" });

    await h.tick();

    expect(h.ledger(block.capacityReservationId)).toHaveLength(1);
    const approved = (await h.events(block.PK)).find((e) => e.type === "approved");
    expect(approved?.actor).toBe("legacy-script");
  });
});

describe("finding 3: a stale tick never writes into a re-created registration", () => {
  it("a tick holding the deleted registration buys nothing, leaving the new one as registered", async () => {
    const h = await harness();
    // Registered inside its window: the tick below holds version 1, the version the re-created block starts at.
    await h.advanceTo(OPENS);
    const block = await h.register({ endDate: END, policy: { requireApproval: false } });
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let reached!: () => void;
    const atCall = new Promise<void>((r) => (reached = r));
    // The tick reads the old registration, then stalls in its EC2 call while a person deletes and re-creates it.
    const stalled = h.makeTick({
      ec2: wrapProvider(h.ec2, {
        extensionOfferings: async (...args) => {
          reached();
          await held;
          return h.ec2.extensionOfferings(...args);
        },
      }),
    });
    const running = stalled();
    await atCall;
    await h.api.remove(block.PK, { actor: "ops" });
    await h.api.create(
      {
        PK: block.PK,
        capacityReservationId: block.capacityReservationId,
        region: "us-east-1",
        policy: { requireApproval: true, maxUpfrontFee: "100" },
      },
      { actor: "ops" },
    );
    release();
    await running;

    expect(h.ledger(block.capacityReservationId)).toHaveLength(0);
    const b = await h.get(block.PK);
    expect(b).toMatchObject({ status: "registered", version: 1, policy: { requireApproval: true, maxUpfrontFee: "100" } });
    expect((await types(h, block.PK)).slice(-2)).toEqual(["deleted", "created"]);
  });
});

describe("finding 4: spend belongs to the reservation, not to one registration", () => {
  /** Buys one extension with no approval and the given limits, then deletes the block while its payment is pending. */
  async function boughtThenDeleted(h: SchedulerHarness, limits: Record<string, unknown>) {
    const block = await inWindow(h, { requireApproval: false, ...limits });
    await h.tick();
    const [first] = h.ledger(block.capacityReservationId);
    expect(first).toBeDefined();
    expect((await h.get(block.PK)).status).toBe("payment-pending");
    await h.api.remove(block.PK, { actor: "ops" });
    return { block, fee: first!.upfrontFee };
  }

  it("a re-registered block keeps the budget spent, so the next window is not bought over it", async () => {
    const h = await harness();
    const { block, fee } = await boughtThenDeleted(h, {});
    // One and a half extensions' worth: the first is spent, the second would go over.
    const budget = addMoney(fee, String(Math.floor(Number(fee) / 2)));
    const { block: again, warnings } = await h.api.create(
      { PK: block.PK, capacityReservationId: block.capacityReservationId, region: "us-east-1", policy: { requireApproval: false, budget } },
      { actor: "ops" },
    );
    expect(compareMoney(again.spent, fee)).toBe(0);
    expect(warnings.join(" ")).toMatch(/carried over/);

    await h.tickUntil(async () => (await h.get(block.PK)).status === "budget-exhausted", { stepMs: 6 * time.HOUR, max: 60 });

    expect(h.ledger(block.capacityReservationId)).toHaveLength(1);
  });

  it("a re-registered block keeps its extension count against maxExtensions", async () => {
    const h = await harness();
    const { block } = await boughtThenDeleted(h, { maxExtensions: 1 });
    const { block: again } = await h.api.create(
      {
        PK: `${block.PK}-2`,
        capacityReservationId: block.capacityReservationId,
        region: "us-east-1",
        policy: { requireApproval: false, maxExtensions: 1 },
      },
      { actor: "ops" },
    );

    await h.tickUntil(async () => (await h.get(again.PK)).status === "max-extensions-reached", { stepMs: 10 * time.MINUTE, max: 60 });

    expect(h.ledger(block.capacityReservationId)).toHaveLength(1);
  });

  it("refuses a second block for a reservation another block manages", async () => {
    const h = await harness();
    const block = await h.register({ endDate: END, policy: { requireApproval: false } });
    await expect(
      h.api.create({ PK: "twin", capacityReservationId: block.capacityReservationId, region: "us-east-1" }, { actor: "ops" }),
    ).rejects.toMatchObject({ code: "ALREADY_MANAGED" });
  });

  it("resets spend only as an explicit act, recorded in history", async () => {
    const h = await harness();
    const block = await h.register({ endDate: END, policy: { requireApproval: false } });
    const reset = await h.api.resetSpend(block.PK, { actor: "finance", comment: "new quarter" });
    expect(reset).toMatchObject({ spent: "0", extensionsPurchased: 0 });
    expect((await h.events(block.PK))[0]).toMatchObject({ type: "spend-reset", actor: "finance" });
  });
});

describe("finding 5: an intent is never settled as not bought while its call can still take effect", () => {
  it("with a Clock far ahead of the wall clock, a slow purchase is found, not bought again", async () => {
    const h = await harness({ requestTimeoutMs: 200 });
    const block = await inWindow(h, { requireApproval: false });
    // The real wall clock: the Clock jumps minutes while only milliseconds pass, as at --clock-rate 60.
    const tick = h.makeTick({ callClock: Date.now, purchaseTimeoutMs: 200 });
    // EC2 takes the order only after the client gave up: the call is still in flight when the Clock says "long ago".
    h.control.injectFault({ action: "PurchaseCapacityBlockExtension", kind: "latency", ms: 1_500, effect: "before" });

    expect(await tick()).toMatchObject({ purchaseAttempts: 1, purchases: 0 });
    h.advance(5 * time.MINUTE);
    expect((await tick()).purchaseAttempts).toBe(0);

    expect((await h.get(block.PK)).intent).toBeTruthy();
    expect((await h.events(block.PK)).some((e) => e.type === "intent-settled" && e.data?.outcome === "not-purchased")).toBe(false);
    // Once the held order landed, EC2's history settles the intent as bought.
    await new Promise((r) => setTimeout(r, 1_600));
    h.advance(5 * time.MINUTE);
    await tick();
    expect(h.ledger(block.capacityReservationId)).toHaveLength(1);
    expect((await h.get(block.PK)).intent ?? null).toBeNull();
  });
});
