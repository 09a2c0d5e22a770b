import { describe, expect, it } from "vitest";
import { compareMoney } from "@cbm/core";
import { OTHER_ACCOUNT, time, useSchedulerHarness } from "./support/scheduler-harness";

const START = "2025-06-01T12:00:00.000Z";
const END = "2025-06-10T11:30:00.000Z";
/** Default policy: lookahead 48 h, so the window opens at END − 48 h. */
const OPENS = "2025-06-08T11:30:00.000Z";
const plus = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString();

const harness = useSchedulerHarness({ start: START });

const types = (events: { type: string }[]) => events.map((e) => e.type);

describe("scheduler scenarios (DynamoDB Local + EC2 emulator, virtual clock)", () => {
  it("register → window opens → one approval request → PATCH → purchase → payment → end date moves → next window", async () => {
    const h = await harness();
    const block = await h.register({ endDate: END, name: "llm-pretrain" });
    const pk = block.PK;

    // First tick reads EC2's truth; the window is not open yet.
    const r0 = await h.tick();
    expect(r0.due).toBe(1);
    let b = await h.get(pk);
    expect(b.status).toBe("waiting");
    expect(b.endDate).toBe(END);

    // A tick with nothing due does no work and no writes.
    const idle = await h.tick();
    expect(idle).toMatchObject({ due: 0, writes: 0 });

    await h.advanceTo(plus(OPENS, time.MINUTE));
    // The block wakes up (recheck every 6 h until the window opens) and asks for approval exactly once.
    await h.tickUntil(async () => h!.notes(pk).length > 0, { stepMs: 0, max: 3 });
    b = await h.get(pk);
    expect(b.status).toBe("awaiting-approval");
    const [first] = h.notes(pk);
    expect(first).toMatchObject({ kind: "approval-request", pk });
    expect(first!.subject).toContain("llm-pretrain");
    expect(first!.body).toMatch(new RegExp(`curl -X PATCH "\\$API_URL/${pk}" -H "x-api-key: \\$API_KEY" .*-d '\\{"window":"[^"]+"\\}'`));
    expect(first!.body).toMatch(new RegExp(`cbm approve ${pk} --window \\S+`));
    expect(first!.body).toContain(`cbm deny ${pk}`);
    expect(first!.body).toContain(END);
    expect(first!.body).toContain("USD");

    // Further ticks add no notification until the reminder interval.
    for (let i = 0; i < 5; i++) {
      h.advance(30 * time.MINUTE);
      await h.tick();
    }
    expect(h.notes(pk)).toHaveLength(1);
    expect(h.ledger(block.capacityReservationId)).toHaveLength(0);

    // PATCH /{PK} (the API's approve use case).
    await h.api.approve(pk, { actor: "alice" });
    const buy = await h.tick();
    expect(buy.purchases).toBe(1);
    const ledger = h.ledger(block.capacityReservationId);
    expect(ledger).toHaveLength(1);
    expect(ledger[0]!.durationHours).toBe(7 * 24);
    b = await h.get(pk);
    expect(b.status).toBe("payment-pending");
    expect(b.endDate).toBe(END); // moves only on payment-succeeded
    expect(b.pendingExtension).toMatchObject({ offeringId: ledger[0]!.offeringId, upfrontFee: ledger[0]!.upfrontFee });
    expect(compareMoney(b.spent, ledger[0]!.upfrontFee)).toBe(0);
    expect(b.approval ?? null).toBeNull();
    expect(b.intent ?? null).toBeNull();

    // Payment clears after 5 virtual minutes; the end date moves then.
    const newEnd = plus(END, 7 * time.DAY);
    await h.tickUntil(async () => (await h!.get(pk)).endDate === newEnd, { stepMs: 2 * time.MINUTE, max: 10 });
    b = await h.get(pk);
    expect(b.extensionsPurchased).toBe(1);
    expect(b.pendingExtension ?? null).toBeNull();
    expect(b.status).toBe("waiting");
    const events = types(await h.events(pk));
    for (const t of [
      "created",
      "approval-requested",
      "approved",
      "purchase-intent",
      "purchased",
      "payment-succeeded",
      "end-date-changed",
    ]) {
      expect(events).toContain(t);
    }
    expect(events).not.toContain("auto-approved");

    // Next window: a new approval request, still one purchase in the ledger.
    await h.advanceTo(plus(newEnd, -47 * time.HOUR));
    await h.tickUntil(async () => h!.notes(pk).filter((n) => n.kind === "approval-request").length === 2, { stepMs: 0, max: 3 });
    expect(h.ledger(block.capacityReservationId)).toHaveLength(1);
    expect((await h.get(pk)).status).toBe("awaiting-approval");
  });

  it("sends a reminder after the reminder interval, a last call before the window closes", async () => {
    const h = await harness();
    const { PK: pk } = await h.register({ endDate: END });
    await h.advanceTo(plus(OPENS, time.MINUTE));
    await h.tickUntil(async () => h!.notes(pk).length === 1, { stepMs: 0, max: 3 });
    await h.tickUntil(async () => h!.notes(pk).length === 2, { stepMs: time.HOUR, max: 14 });
    expect(h.notes(pk)[1]!.kind).toBe("approval-reminder");
    await h.tickUntil(async () => h!.notes(pk).some((n) => n.kind === "approval-last-call"), { stepMs: time.HOUR, max: 40 });
    const keys = h.notes(pk).map((n) => n.key);
    expect(new Set(keys).size).toBe(keys.length);
    // Roughly one notice per 12 h plus the last call: never one per tick.
    expect(keys.length).toBeLessThanOrEqual(5);
  });

  it("buys without asking when the policy needs no approval", async () => {
    const h = await harness();
    const block = await h.register({ endDate: END, policy: { requireApproval: false } });
    await h.tick();
    await h.advanceTo(OPENS);
    await h.tickUntil(async () => h!.ledger(block.capacityReservationId).length > 0, { stepMs: time.MINUTE, max: 3 });
    expect(h.notes(block.PK).map((n) => n.kind)).toEqual(["purchased"]);
    const events = types(await h.events(block.PK));
    expect(events).toContain("purchased");
    expect(events).not.toContain("approval-requested");
  });

  it("approves automatically when no approver can be reached (no topic), recording it", async () => {
    const h = await harness({ canReachApprover: false });
    const block = await h.register({ endDate: END });
    expect(block.policy.requireApproval).toBe(true);
    await h.tick();
    await h.advanceTo(OPENS);
    await h.tickUntil(async () => h!.ledger(block.capacityReservationId).length > 0, { stepMs: time.MINUTE, max: 3 });
    const events = await h.events(block.PK);
    expect(types(events)).toContain("auto-approved");
    expect(types(events)).not.toContain("approval-requested");
  });

  it("price cap: an offering above maxUpfrontFee is not bought; one notice; retried with backoff", async () => {
    const h = await harness();
    h.control.setPrice({ instanceType: "p5.48xlarge", hourlyRate: "9999" });
    const block = await h.register({ endDate: END, policy: { requireApproval: false, maxUpfrontFee: "10000" } });
    await h.advanceTo(OPENS);
    await h.tick();
    const b = await h.get(block.PK);
    expect(b.status).toBe("price-above-cap");
    expect(b.failures).toBe(1);
    for (let i = 0; i < 6; i++) {
      h.advance(time.HOUR);
      await h.tick();
    }
    expect(h.ledger(block.capacityReservationId)).toHaveLength(0);
    expect(h.notes(block.PK).filter((n) => n.kind === "stopped")).toHaveLength(1);
    expect((await h.get(block.PK)).failures).toBeGreaterThan(1);
  });

  it("budget: an offering that would exceed the budget is not bought", async () => {
    const h = await harness();
    const block = await h.register({ endDate: END, policy: { requireApproval: false, budget: "100" } });
    await h.advanceTo(OPENS);
    await h.tick();
    expect((await h.get(block.PK)).status).toBe("budget-exhausted");
    expect(h.ledger(block.capacityReservationId)).toHaveLength(0);
  });

  it("extendUntil: buys only what reaches it, then stops", async () => {
    const h = await harness();
    const until = plus(END, 3 * time.DAY);
    const block = await h.register({ endDate: END, policy: { requireApproval: false, extendUntil: until } });
    await h.advanceTo(OPENS);
    await h.tick();
    const [entry] = h.ledger(block.capacityReservationId);
    expect(entry?.durationHours).toBe(72);
    await h.tickUntil(async () => (await h!.get(block.PK)).status === "extend-until-reached", { stepMs: 5 * time.MINUTE, max: 10 });
    expect((await h.get(block.PK)).endDate).toBe(until);
    expect(h.ledger(block.capacityReservationId)).toHaveLength(1);
  });

  it("no offering for the wanted duration, with fallback: buys the longest shorter one", async () => {
    const h = await harness();
    const block = await h.register({ endDate: END, policy: { requireApproval: false, allowShorterFallback: true } });
    h.control.setCapacity({ capacityReservationId: block.capacityReservationId, durationsHours: [168], available: false });
    await h.advanceTo(OPENS);
    await h.tick();
    const ledger = h.ledger(block.capacityReservationId);
    expect(ledger).toHaveLength(1);
    expect(ledger[0]!.durationHours).toBe(144);
  });

  it("no offering without fallback: status no-offering, one notification, backoff", async () => {
    const h = await harness();
    const block = await h.register({ endDate: END, policy: { requireApproval: false } });
    h.control.setCapacity({ capacityReservationId: block.capacityReservationId, available: false });
    await h.advanceTo(OPENS);
    await h.tick();
    let b = await h.get(block.PK);
    expect(b.status).toBe("no-offering");
    const firstRetry = Date.parse(b.nextCheckAt!) - h.clock.now().getTime();
    expect(firstRetry).toBeGreaterThanOrEqual(5 * time.MINUTE);
    for (let i = 0; i < 8; i++) {
      h.advance(30 * time.MINUTE);
      await h.tick();
    }
    b = await h.get(block.PK);
    expect(b.status).toBe("no-offering");
    expect(b.failures).toBeGreaterThan(1);
    expect(h.notes(block.PK).filter((n) => n.kind === "no-offering")).toHaveLength(1);
    // Fewer looks than ticks: exponential backoff.
    const offeringCalls = h.control.calls().filter((c) => c.action === "DescribeCapacityBlockExtensionOfferings").length;
    expect(offeringCalls).toBeLessThan(8);
    // Capacity comes back: bought on a later tick.
    h.control.setCapacity({ capacityReservationId: block.capacityReservationId, available: true });
    await h.tickUntil(async () => h!.ledger(block.capacityReservationId).length === 1, { stepMs: time.HOUR, max: 10 });
  });

  it("payment failed: status payment-failed, notified, fee not counted, no re-buy in that window", async () => {
    const h = await harness();
    const block = await h.register({ endDate: END, policy: { requireApproval: false } });
    h.control.injectFault({ action: "PurchaseCapacityBlockExtension", kind: "payment-failure" });
    await h.advanceTo(OPENS);
    await h.tick();
    expect(h.ledger(block.capacityReservationId)).toHaveLength(1);
    await h.tickUntil(async () => (await h!.get(block.PK)).status === "payment-failed", { stepMs: 5 * time.MINUTE, max: 200 });
    const b = await h.get(block.PK);
    expect(b.endDate).toBe(END);
    expect(b.spent).toBe("0");
    expect(h.notes(block.PK).filter((n) => n.kind === "payment-failed")).toHaveLength(1);
    for (let i = 0; i < 6; i++) {
      h.advance(time.HOUR);
      await h.tick();
    }
    expect(h.ledger(block.capacityReservationId)).toHaveLength(1);
    expect(h.notes(block.PK).filter((n) => n.kind === "payment-failed")).toHaveLength(1);
  });

  it("a payment still pending close to the end alerts once", async () => {
    const h = await harness();
    h.control.configure({ paymentDelaySeconds: 6 * 3600 });
    const block = await h.register({ endDate: END, policy: { requireApproval: false, lookaheadHours: 3 } });
    await h.tick();
    await h.advanceTo(plus(END, -3 * time.HOUR));
    await h.tickUntil(async () => h!.ledger(block.capacityReservationId).length === 1, { stepMs: time.MINUTE, max: 3 });
    while (h.clock.now().getTime() < Date.parse(END) - time.HOUR) {
      h.advance(10 * time.MINUTE);
      await h.tick();
    }
    const alerts = h.notes(block.PK).filter((n) => n.kind === "payment-pending-alert");
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.body).toContain("payment-pending");
    expect((await h.get(block.PK)).pendingExtension?.alertedAt).toBeTruthy();
    expect((await h.events(block.PK)).filter((e) => e.type === "payment-pending-alert")).toHaveLength(1);
  });

  it("block expired: status expired, then left alone", async () => {
    const h = await harness();
    const end = "2025-06-02T11:30:00.000Z";
    const block = await h.register({ endDate: end, policy: { enabled: false } });
    await h.tick();
    await h.advanceTo(plus(end, 10 * time.MINUTE));
    await h.tickUntil(async () => (await h!.get(block.PK)).status === "expired", { stepMs: time.HOUR, max: 10 });
    const b = await h.get(block.PK);
    expect(b.nextCheckAt ?? null).toBeNull();
    const after = await h.tick();
    expect(after.due).toBe(0);
  });

  it("block extended outside CBM: the new end date is picked up, nothing bought by CBM", async () => {
    const h = await harness();
    const block = await h.register({ endDate: END });
    await h.tick();
    // Someone buys an extension directly (AWS console / SDK).
    const [offering] = await h.ec2.extensionOfferings("us-east-1", block.capacityReservationId, 48);
    await h.ec2.purchaseExtension("us-east-1", block.capacityReservationId, offering!.offeringId);
    h.advance(10 * time.MINUTE);
    await h.advanceTo(plus(START, 6 * time.HOUR + time.MINUTE));
    const report = await h.tick();
    expect(report.purchaseAttempts).toBe(0);
    const b = await h.get(block.PK);
    expect(b.endDate).toBe(plus(END, 2 * time.DAY));
    expect(b.extensionsPurchased).toBe(0);
    const events = await h.events(block.PK);
    expect(events.find((e) => e.type === "end-date-changed")?.message).toContain(offering!.offeringId);
    expect(types(events)).not.toContain("purchase-intent");
    expect(h.ledger(block.capacityReservationId)).toHaveLength(1);
  });

  it("shared block not owned by this account: status not-owned, never bought", async () => {
    const h = await harness();
    const block = await h.register({ endDate: END, seed: { ownerId: OTHER_ACCOUNT }, policy: { requireApproval: false } });
    await h.advanceTo(OPENS);
    await h.tick();
    const b = await h.get(block.PK);
    expect(b.status).toBe("not-owned");
    expect(h.ledger(block.capacityReservationId)).toHaveLength(0);
    expect(h.control.calls().filter((c) => c.action === "PurchaseCapacityBlockExtension")).toHaveLength(0);
  });

  it("a reservation EC2 does not know: status not-found, the others are still processed", async () => {
    const h = await harness();
    const ghost = await h.register({ endDate: END, capacityReservationId: "cr-0000000000000dead" });
    const real = await h.register({ endDate: END });
    await h.tick();
    expect((await h.get(ghost.PK)).status).toBe("not-found");
    expect((await h.get(real.PK)).status).toBe("waiting");
  });
});
