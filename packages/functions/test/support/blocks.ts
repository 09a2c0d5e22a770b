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
