import fc from "fast-check";
import { describe, expect, it } from "vitest";
import Decimal from "decimal.js";
import {
  DEFAULT_ENGINE_SETTINGS,
  ExtensionPolicy,
  LADDER_DAYS,
  ReservationState,
  decide,
  extensionWindow,
  isLadderHours,
  nextCheckAfter,
  reconcile,
  shorterLadderDays,
  type Block,
  type DecideInput,
  type Decision,
  type EngineSettings,
  type ExtensionOffering,
  type ExtensionRecord,
  type ReservationView,
} from "../src/index";
import { ACCOUNT, CR, DAY, HOUR } from "./fixtures";

const RUNS = 3000;
const MIN = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();

const money = fc.oneof(
  fc.integer({ min: 0, max: 20_000 }).map(String),
  fc.tuple(fc.integer({ min: 0, max: 20_000 }), fc.integer({ min: 0, max: 99 })).map(([a, b]) => `${a}.${String(b).padStart(2, "0")}`),
);
/** Every CB ends at 11:30 UTC. */
const endMs = fc.integer({ min: 0, max: 600 }).map((d) => Date.UTC(2025, 0, 1, 11, 30) + d * DAY);
/** Offsets of now from the end, dense around the interesting edges of the window. */
const nowOffset = fc.oneof(
  fc.integer({ min: -60 * DAY, max: 2 * DAY }),
  fc.integer({ min: -2 * DAY, max: 0 }),
  fc.integer({ min: -2 * DAY, max: 0 }),
  fc.constantFrom(
    -56 * DAY,
    -56 * DAY - 1,
    -56 * DAY + 1,
    -HOUR,
    -HOUR + 1,
    -HOUR - 1,
    -65 * MIN,
    -65 * MIN + 1,
    -65 * MIN - 1,
    0,
    -13 * HOUR,
    -48 * HOUR,
  ),
  fc.integer({ min: -3 * HOUR, max: 0 }),
);

/** Undefined most of the time, so the rarer guards do not hide every other branch. */
const rarely = <T>(arb: fc.Arbitrary<T>, weight = 3) =>
  fc.oneof({ arbitrary: fc.constant(undefined), weight }, { arbitrary: arb, weight: 1 });
const mostly = <T>(common: T, ...others: T[]) =>
  fc.oneof({ arbitrary: fc.constant(common), weight: 4 }, { arbitrary: fc.constantFrom(common, ...others), weight: 1 });

interface World {
  end: number;
  input: DecideInput;
}

const world: fc.Arbitrary<World> = fc
  .record({
    end: endMs,
    nowOff: nowOffset,
    extendByDays: fc.constantFrom(...LADDER_DAYS),
    lookaheadHours: fc.oneof(fc.integer({ min: 2, max: 56 * 24 }), fc.constantFrom(2, 13, 48, 56 * 24)),
    requireApproval: fc.boolean(),
    maxUpfrontFee: rarely(money, 1),
    budget: rarely(money, 1),
    extendUntilDays: rarely(fc.integer({ min: -20, max: 60 })),
    maxExtensions: rarely(fc.integer({ min: 0, max: 5 })),
    enabled: mostly(true, false),
    allowShorterFallback: fc.boolean(),
    currency: fc.constantFrom("USD", "EUR"),
    spent: money,
    extensionsPurchased: fc.integer({ min: 0, max: 6 }),
    failures: fc.option(fc.integer({ min: 0, max: 40 }), { nil: undefined }),
    lastPurchase: mostly("none", "this", "previous"),
    pendingWindow: mostly("none", "this", "previous"),
    approvalWindow: fc.constantFrom("none", "this", "previous"),
    denialWindow: mostly("none", "this", "previous"),
    approvalRequest: fc.option(
      fc.record({ sentAgo: fc.integer({ min: 0, max: 3 * DAY }), lastCallSent: fc.boolean(), thisWindow: fc.boolean() }),
      { nil: undefined },
    ),
    intent: rarely(
      fc.record({ ageMs: fc.integer({ min: 0, max: 10 * MIN }), confirmed: fc.boolean(), offeringId: fc.constantFrom("cbe-a", "cbe-b") }),
      8,
    ),
    reservation: fc.option(
      fc.record({
        state: mostly<ReservationView["state"]>("active", "scheduled", ...ReservationState.options),
        owner: mostly(ACCOUNT, "999999999999"),
      }),
      { freq: 15, nil: undefined },
    ),
    history: fc.array(
      fc.record({
        status: mostly<ExtensionRecord["status"]>("payment-succeeded", "payment-pending", "payment-failed"),
        startsAt: mostly("previous", "this", "older"),
        offeringId: fc.constantFrom("cbe-a", "cbe-b", "cbe-c"),
        days: fc.constantFrom(1, 7, 14),
      }),
      { maxLength: 2 },
    ),
    offerings: fc.option(
      fc.array(
        fc.record({
          days: fc.oneof(fc.constantFrom(...LADDER_DAYS), fc.constantFrom(1.25, 15, 20, 189, 0.5)),
          preferred: mostly(true, false),
          stale: mostly(false, true),
          fee: money,
          currency: fc.constantFrom("USD", "USD", "EUR"),
          id: fc.integer({ min: 0, max: 1e6 }),
        }),
        { maxLength: 8 },
      ),
      { freq: 6, nil: undefined },
    ),
    autoApprove: fc.boolean(),
    closesBeforeMs: fc.oneof(fc.constant(DEFAULT_ENGINE_SETTINGS.windowClosesBeforeMs), fc.integer({ min: 0, max: 4 * HOUR })),
  })
  .map((g): World => {
    const end = g.end;
    const endIso = iso(end);
    const now = new Date(end + g.nowOff);
    const prev = iso(end - 7 * DAY);
    const win = (w: string) => (w === "this" ? endIso : w === "previous" ? prev : undefined);
    const policy = ExtensionPolicy.parse({
      extendByDays: g.extendByDays,
      lookaheadHours: g.lookaheadHours,
      requireApproval: g.requireApproval,
      maxUpfrontFee: g.maxUpfrontFee,
      budget: g.budget,
      extendUntil: g.extendUntilDays === undefined ? undefined : iso(end + g.extendUntilDays * DAY),
      maxExtensions: g.maxExtensions,
      enabled: g.enabled,
      allowShorterFallback: g.allowShorterFallback,
      currency: g.currency,
    });
    const verdict = (w: string) => (win(w) ? { window: win(w)!, by: "p", at: iso(end - DAY) } : undefined);
    const block: Block = {
      PK: "p",
      capacityReservationId: CR,
      region: "us-east-2",
      approved: g.approvalWindow === "this",
      createdAt: iso(end - 30 * DAY),
      updatedAt: iso(end - 30 * DAY),
      status: "waiting",
      version: 1,
      policy,
      spent: g.spent,
      extensionsPurchased: g.extensionsPurchased,
      failures: g.failures,
      lastPurchaseWindow: win(g.lastPurchase),
      pendingExtension: win(g.pendingWindow)
        ? {
            window: win(g.pendingWindow)!,
            offeringId: "cbe-a",
            durationHours: 24,
            upfrontFee: "1",
            currencyCode: "USD",
            purchasedAt: iso(end - DAY),
          }
        : undefined,
      approval: verdict(g.approvalWindow),
      denial: verdict(g.denialWindow),
      approvalRequest: g.approvalRequest
        ? {
            window: g.approvalRequest.thisWindow ? endIso : prev,
            firstSentAt: iso(now.getTime() - g.approvalRequest.sentAgo),
            lastSentAt: iso(now.getTime() - g.approvalRequest.sentAgo),
            count: 1,
            lastCallSent: g.approvalRequest.lastCallSent,
          }
        : undefined,
      intent: g.intent
        ? {
            id: "i",
            window: endIso,
            offeringId: g.intent.offeringId,
            durationHours: 24,
            upfrontFee: "1",
            currencyCode: "USD",
            createdAt: iso(now.getTime() - g.intent.ageMs),
            ...(g.intent.confirmed ? { confirmedAt: iso(now.getTime()) } : {}),
          }
        : undefined,
    };
    const reservation: ReservationView | undefined = g.reservation
      ? { capacityReservationId: CR, ownerId: g.reservation.owner, region: "us-east-2", state: g.reservation.state, endDate: endIso }
      : undefined;
    const history: ExtensionRecord[] = g.history.map((h) => {
      const start = h.startsAt === "this" ? end : h.startsAt === "previous" ? end - 7 * DAY : end - 14 * DAY;
      return {
        capacityReservationId: CR,
        offeringId: h.offeringId,
        status: h.status,
        durationHours: h.days * 24,
        purchaseDate: iso(start - DAY),
        startDate: iso(start),
        endDate: iso(start + h.days * DAY),
        upfrontFee: "100",
        currencyCode: "USD",
      };
    });
    let offerings: Map<number, ExtensionOffering[]> | undefined;
    if (g.offerings) {
      offerings = new Map();
      // Include every wanted duration often, so purchases are reachable and each guard is exercised.
      const wanted = [policy.extendByDays, ...shorterLadderDays(policy.extendByDays)];
      for (const o of g.offerings) {
        const days = o.preferred ? wanted[o.id % wanted.length]! : o.days;
        const hours = Math.round(days * 24);
        const start = o.stale ? end - DAY : end;
        const list = offerings.get(hours) ?? [];
        list.push({
          offeringId: `cbe-${o.id}`,
          capacityReservationId: CR,
          durationHours: hours,
          startDate: iso(start),
          endDate: iso(start + hours * HOUR),
          upfrontFee: o.fee,
          currencyCode: o.currency,
        });
        offerings.set(hours, list);
      }
      for (const d of wanted) if (!offerings.has(d * 24) && (d + end) % 3 === 0) offerings.set(d * 24, []);
    }
    const settings: EngineSettings = {
      ...DEFAULT_ENGINE_SETTINGS,
      accountId: ACCOUNT,
      autoApprove: g.autoApprove,
      windowClosesBeforeMs: g.closesBeforeMs,
    };
    return { end, input: { block, reservation, history, offerings, now, settings } };
  });

/**
 * Worlds where most guards are repaired (each with high probability), so purchases are frequent and each
 * remaining guard is exercised on its own, right next to a purchase.
 */
const nearPurchase: fc.Arbitrary<World> = fc
  .tuple(world, fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 8, maxLength: 8 }), fc.double({ min: 0, max: 1, noNaN: true }))
  .map(([w, dice, pos]) => {
    const fix = (i: number) => dice[i]! > 0;
    const endIso = iso(w.end);
    const i = w.input;
    let block = i.block;
    let { reservation, history, now } = i;
    let offerings = i.offerings;
    if (fix(0)) reservation = { capacityReservationId: CR, ownerId: ACCOUNT, region: "us-east-2", state: "active", endDate: endIso };
    if (fix(1)) block = { ...block, intent: undefined };
    if (fix(2)) block = { ...block, policy: { ...block.policy, enabled: true } };
    if (fix(3)) history = history.filter((h) => h.status !== "payment-pending" && Date.parse(h.startDate) !== w.end);
    if (fix(4)) {
      const win = extensionWindow(endIso, block.policy, i.settings);
      const lo = Date.parse(win.opensAt);
      const hi = Date.parse(win.closesAt);
      now = new Date(Math.round(lo + (hi - lo) * pos));
    }
    if (fix(5)) block = { ...block, lastPurchaseWindow: undefined, pendingExtension: undefined, denial: undefined };
    if (fix(6)) block = { ...block, policy: { ...block.policy, maxExtensions: undefined, extendUntil: undefined } };
    if (fix(7)) {
      const m = new Map(offerings ?? []);
      const hours = block.policy.extendByDays * 24;
      const fee = dice[0]! % 2 === 0 ? "1" : "5000.5";
      offerings = m;
      m.set(hours, [
        ...(m.get(hours) ?? []),
        {
          offeringId: "cbe-near",
          capacityReservationId: CR,
          durationHours: hours,
          startDate: endIso,
          endDate: iso(w.end + hours * HOUR),
          upfrontFee: fee,
          currencyCode: block.policy.currency,
        },
      ]);
    }
    return { end: w.end, input: { ...i, block, reservation, history, offerings, now } };
  });

const anyWorld = fc.oneof(world, nearPurchase);

/** Every money-safety rule of issue 2 that must hold whenever the engine decides to buy. */
function assertSafePurchase(w: World, d: Extract<Decision, { kind: "purchase" }>): void {
  const { block, reservation: r, history, now, settings } = w.input;
  const t = now.getTime();
  const p = block.policy;
  expect(block.intent).toBeFalsy();
  expect(p.enabled).toBe(true);
  expect(r).toBeDefined();
  expect(["active", "scheduled"]).toContain(r!.state);
  expect(r!.ownerId).toBe(settings.accountId);
  expect(Date.parse(d.window)).toBe(w.end);
  // EC2's window [end − 56 d, end − 1 h] and CBM's narrower one.
  expect(t).toBeGreaterThanOrEqual(w.end - 56 * DAY);
  expect(t).toBeLessThanOrEqual(w.end - HOUR);
  const win = extensionWindow(d.window, p, settings);
  expect(t).toBeGreaterThanOrEqual(Date.parse(win.opensAt));
  expect(t).toBeLessThanOrEqual(Date.parse(win.closesAt));
  expect(history.some((h) => h.status === "payment-pending")).toBe(false);
  const fee = new Decimal(d.offering.upfrontFee);
  if (p.maxUpfrontFee !== undefined) expect(fee.lte(p.maxUpfrontFee)).toBe(true);
  if (p.budget !== undefined) expect(fee.plus(block.spent).lte(p.budget)).toBe(true);
  if (p.requireApproval) {
    expect(block.approval?.window === d.window || settings.autoApprove).toBe(true);
    expect(d.approval).not.toBe("not-required");
  }
  if (block.denial) expect(Date.parse(block.denial.window)).not.toBe(w.end);
  expect(block.lastPurchaseWindow == null || Date.parse(block.lastPurchaseWindow) !== w.end).toBe(true);
  expect(block.pendingExtension == null || Date.parse(block.pendingExtension.window) !== w.end).toBe(true);
  expect(history.some((h) => Date.parse(h.startDate) === w.end)).toBe(false);
  if (p.extendUntil !== undefined) expect(w.end).toBeLessThan(Date.parse(p.extendUntil));
  if (p.maxExtensions !== undefined) expect(block.extensionsPurchased).toBeLessThan(p.maxExtensions);
  expect(isLadderHours(d.offering.durationHours)).toBe(true);
  expect(d.offering.currencyCode).toBe(p.currency);
  expect(Date.parse(d.offering.startDate)).toBe(w.end);
  const allowed = [p.extendByDays, ...(p.allowShorterFallback ? shorterLadderDays(p.extendByDays) : [])];
  if (p.extendUntil === undefined) expect(allowed).toContain(d.offering.durationHours / 24);
}

describe("engine properties (money safety)", () => {
  it("never purchases unless every money-safety rule holds", () => {
    fc.assert(
      fc.property(anyWorld, (w) => {
        const d = decide(w.input);
        if (d.kind === "purchase") assertSafePurchase(w, d);
      }),
      { numRuns: RUNS * 3 },
    );
  });

  it("actually purchases in a good share of generated worlds (the generator is not degenerate)", () => {
    const labels = fc
      .sample(anyWorld, 4000)
      .map((w) => decide(w.input))
      .map((d) => (d.kind === "stop" ? d.reason : d.kind === "wait" ? `wait:${d.reason}` : d.kind));
    const count = (k: string) => labels.filter((x) => x === k).length;
    expect(count("purchase")).toBeGreaterThan(200);
    for (const k of [
      "fetch-offerings",
      "request-approval",
      "await-payment",
      "settle-intent",
      "wait:window-not-open",
      "wait:settling",
      "wait:extension-bought",
      "wait:approval-pending",
      "expired",
      "not-found",
      "not-owned",
      "not-extendable",
      "window-closed",
      "extend-until-reached",
      "max-extensions-reached",
      "budget-exhausted",
      "denied",
      "no-offering",
      "price-above-cap",
      "currency-mismatch",
      "payment-failed",
      "paused",
    ]) {
      expect(count(k), k).toBeGreaterThan(0);
    }
  });

  it("never schedules anything in the past", () => {
    fc.assert(
      fc.property(anyWorld, (w) => {
        const t = w.input.now.getTime();
        const d = decide(w.input);
        if (d.kind === "wait") expect(Date.parse(d.until)).toBeGreaterThan(t);
        if (d.kind === "stop" && d.retryAt !== undefined) expect(Date.parse(d.retryAt)).toBeGreaterThan(t);
        if (d.kind === "request-approval" || d.kind === "await-payment") expect(Date.parse(d.nextCheckAt)).toBeGreaterThan(t);
        const next = nextCheckAfter(d, w.input.now);
        if (next !== null) expect(Date.parse(next)).toBeGreaterThanOrEqual(t);
      }),
      { numRuns: RUNS },
    );
  });

  it("is pure: same input, same decision, input untouched", () => {
    fc.assert(
      fc.property(world, (w) => {
        const snapshot = structuredClone({ ...w.input, offerings: w.input.offerings ? [...w.input.offerings] : undefined });
        const a = decide(w.input);
        const b = decide(w.input);
        expect(b).toEqual(a);
        expect({ ...w.input, offerings: w.input.offerings ? [...w.input.offerings] : undefined }).toEqual(snapshot);
      }),
      { numRuns: 1000 },
    );
  });

  it("never asks the same approver again before the reminder interval", () => {
    fc.assert(
      fc.property(anyWorld, (w) => {
        const d = decide(w.input);
        const req = w.input.block.approvalRequest;
        if (d.kind === "request-approval" && req && Date.parse(req.window) === w.end) {
          const since = w.input.now.getTime() - Date.parse(req.lastSentAt);
          if (d.notice === "reminder") expect(since).toBeGreaterThanOrEqual(w.input.settings.reminderIntervalMs);
          if (d.notice === "last-call") expect(req.lastCallSent).toBe(false);
          expect(d.notice).not.toBe("first");
        }
      }),
      { numRuns: RUNS },
    );
  });
});

describe("reconcile properties", () => {
  it("takes EC2's end date, never raises spending, never un-counts extensions", () => {
    fc.assert(
      fc.property(world, fc.boolean(), (w, moved) => {
        const { block, history } = w.input;
        const r: ReservationView = {
          capacityReservationId: CR,
          ownerId: ACCOUNT,
          region: "us-east-2",
          state: "active",
          endDate: iso(w.end + (moved ? 7 * DAY : 0)),
        };
        const out = reconcile(block, r, history, w.input.now);
        expect(Date.parse(out.block.endDate!)).toBe(Date.parse(r.endDate));
        expect(new Decimal(out.block.spent).lte(block.spent)).toBe(true);
        expect(new Decimal(out.block.spent).gte(0)).toBe(true);
        expect(out.block.extensionsPurchased).toBeGreaterThanOrEqual(block.extensionsPurchased);
        expect(out.block.lastPurchaseWindow).toBe(block.lastPurchaseWindow);
        if (out.block.approved) expect(Date.parse(out.block.approval!.window)).toBe(Date.parse(r.endDate));
      }),
      { numRuns: RUNS },
    );
  });
});
