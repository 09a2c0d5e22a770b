import { beforeAll, expect } from "vitest";
import type { PurchaseIntent } from "@cbm/core";
import { createTestApi } from "./api";
import { crId, fixedClock } from "./blocks";

type TestApi = Awaited<ReturnType<typeof createTestApi>>;

/** A POST / body for a fresh reservation; `over` replaces or adds fields. */
export const newBlock = (over: Record<string, unknown> = {}) => ({
  capacityReservationId: crId(),
  instanceType: "p5.48xlarge",
  availabilityZone: "us-east-1a",
  instanceCount: 2,
  ...over,
});

/** A purchase intent for the March 10 window, as the tick writes it before buying. */
export const purchaseIntent = (over: Partial<PurchaseIntent> = {}): PurchaseIntent => ({
  id: "i1",
  window: "2026-03-10T11:30:00.000Z",
  offeringId: "cbr-1",
  durationHours: 168,
  upfrontFee: "10",
  currencyCode: "USD",
  createdAt: "2026-03-01T00:00:00.000Z",
  ...over,
});

/**
 * The API on a fresh table for one test file, with a clock the tests set (starting 2026-03-01). The table is made in
 * `beforeAll`, so `api` forwards to it lazily.
 */
export function useBlockApi() {
  const clock = fixedClock("2026-03-01T00:00:00.000Z");
  let real: TestApi | undefined;
  beforeAll(async () => {
    real = await createTestApi({ clock });
  });
  const current = (): TestApi => {
    if (!real) throw new Error("the test API is made in beforeAll");
    return real;
  };
  const api = {
    call: (...args: Parameters<TestApi["call"]>) => current().call(...args),
    get store() {
      return current().store;
    },
    get history() {
      return current().history;
    },
  };

  /** Creates a block over HTTP and returns the created record. */
  async function created(over: Record<string, unknown> = {}) {
    const res = await api.call("POST", "/", { body: newBlock(over) });
    expect(res.status, res.text).toBe(201);
    return res.body;
  }

  return { api, clock, created };
}
