import { describe, expect, it } from "vitest";
import type { LocalHandle } from "../src/local-options";
import { blockPurchases, call, requestBody, useQuietLocal } from "./support/local-cbm";

/*
 * Finding 2 of issue 21: EC2 holds PurchaseCapacityBlock 45 s before committing it; CBM's call times out at 10 s.
 * Local mode's request worker settled the intent "not bought" 30 s after writing it, searched, and bought a second
 * block; the held purchase then landed too. The settle wait is now the purchase call's timeout plus the margin, in
 * every assembly, so the held purchase is found by its tag and nothing is bought again. Production timings: about a
 * minute of wall time.
 */
const HOLD_MS = 45_000;

let local: LocalHandle;
useQuietLocal((started) => (local = started));

interface Req {
  id: string;
  status: string;
  intent?: unknown;
  purchase?: { capacityReservationId: string };
}

describe("a purchase that EC2 commits after CBM gave up", () => {
  it("is bought once, settled from the purchase's tag", async () => {
    const emulator = local.emulator!.control;
    emulator.injectFault({ action: "PurchaseCapacityBlock", kind: "latency", ms: HOLD_MS, effect: "before" });
    const created = await call<Req>(local, "POST", "/requests", { body: requestBody(local, { name: "late" }) });
    const started = Date.now();

    // The user's scheduler: a run every few seconds, the virtual minute passing between runs.
    const timedOut = await call(local, "POST", "/_local/tick");
    while (Date.now() - started < HOLD_MS + 5_000) {
      await new Promise((r) => setTimeout(r, 3_000));
      emulator.advance({ minutes: 1 });
      await call(local, "POST", "/_local/tick");
    }
    const request = await call<Req>(local, "GET", `/requests/${created.body.id}`);

    expect(timedOut.status).toBe(200);
    const bought = blockPurchases(local);
    expect(bought).toHaveLength(1);
    expect(request.body.intent ?? null).toBeNull();
    expect(request.body.purchase?.capacityReservationId).toBe(bought[0]!.capacityReservationId);
  });
});
