import type { Block, Clock, Ids } from "@cbm/core";

let counter = 0;

/** A valid cr- id, unique per call within a test file. */
export function crId(): string {
  counter += 1;
  return `cr-${(Date.now().toString(16) + counter.toString(16).padStart(6, "0")).padStart(17, "0").slice(-17)}`;
}

/** A complete stored-shape Block for adapter tests. */
export function makeBlock(overrides: Partial<Block> = {}): Block {
  const cr = overrides.capacityReservationId ?? crId();
  return {
    PK: overrides.PK ?? cr,
    capacityReservationId: cr,
    region: "us-east-1",
    approved: false,
    createdAt: "2026-01-01T00:00:00.000Z",
    updatedAt: "2026-01-01T00:00:00.000Z",
    status: "registered",
    version: 1,
    policy: { extendByDays: 7, lookaheadHours: 48, requireApproval: true, enabled: true, allowShorterFallback: false, currency: "USD" },
    spent: "0",
    extensionsPurchased: 0,
    ...overrides,
  };
}

/** The account CBM runs in, as the scheduler's settings and EC2's owner ids name it. */
export const ACCOUNT = "123456789012";
/** Another account: the owner of a block shared into ACCOUNT. */
export const OTHER_ACCOUNT = "210987654321";

/** The one-day extension quote the asking blocks' approval notices carry: 1510.27 USD. */
export const DAY_QUOTE = { offeringId: "cbe-1", upfrontFee: "1510.27", durationHours: 24, currencyCode: "USD" };

/**
 * A block CBM asked approval for at `askedAt` (once, no last call), quoted DAY_QUOTE for the window ending `end`,
 * under the one-day policy the quote was asked under: a link is answered only while the policy allows its terms.
 */
export function askingRecord(cr: string, end: string, askedAt: string, overrides: Partial<Block> = {}): Block {
  return makeBlock({
    capacityReservationId: cr,
    PK: `b-${cr.slice(-6)}`,
    registrationId: `reg-${cr.slice(-6)}`,
    endDate: end,
    status: "awaiting-approval",
    approvalRequest: { window: end, firstSentAt: askedAt, lastSentAt: askedAt, count: 1, lastCallSent: false, ...DAY_QUOTE },
    policy: { ...makeBlock().policy, extendByDays: 1 },
    ...overrides,
  });
}

/** The terms of DAY_QUOTE as an approval link for block `cr` signs them: one day from `end`. */
export function dayQuoteTerms(cr: string, end: string) {
  const next = new Date(Date.parse(end) + 86_400_000).toISOString();
  return { ...DAY_QUOTE, capacityReservationId: cr, startDate: end, endDate: next };
}

/** Ids that are unique and ordered, deterministic per test. */
export function sequentialIds(prefix = "T"): Ids {
  let n = 0;
  return { next: () => `${prefix}${String(++n).padStart(10, "0")}` };
}

/** A clock tests set and advance; no fake timers needed (STYLE practice 4). */
export function fixedClock(iso: string): Clock & { set(iso: string): void; advance(ms: number): void } {
  let t = new Date(iso);
  return { now: () => new Date(t), set: (s) => void (t = new Date(s)), advance: (ms) => void (t = new Date(t.getTime() + ms)) };
}
