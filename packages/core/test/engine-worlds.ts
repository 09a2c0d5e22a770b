import fc from "fast-check";
import {
  DEFAULT_ENGINE_SETTINGS,
  ExtensionPolicy,
  LADDER_DAYS,
  ReservationState,
  extensionWindow,
  shorterLadderDays,
  type Block,
  type DecideInput,
  type EngineSettings,
  type ExtensionOffering,
  type ExtensionRecord,
  type ReservationView,
} from "../src/index";
import { ACCOUNT, CR, DAY, HOUR, iso } from "./fixtures";

/*
 * Generated decision inputs for the engine's property tests: worlds around a block's extension window (any policy,
 * reservation, history, approval, offerings), and worlds close to a purchase so that the purchase rules are reached.
 */

export const RUNS = 3000;
const MIN = 60_000;

export const money = fc.oneof(
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

export interface World {
  end: number;
  input: DecideInput;
}

export const world: fc.Arbitrary<World> = fc
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

export const anyWorld = fc.oneof(world, nearPurchase);
