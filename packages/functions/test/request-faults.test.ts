import type { BlockMarket } from "@cbm/core";
import { describe, expect, it } from "vitest";
import { blockPurchases, crashAfterIntent, crashBeforeRecording, useRequestWorld } from "./support/request-world";

/*
 * At most one block per request, proven from the emulator's ledger (every PurchaseCapacityBlock that took effect)
 * under the faults that make a purchase's outcome unknown. Each test ends with the request fulfilled or settled
 * and exactly one purchase, or none where none can have happened.
 */
const w = useRequestWorld();

async function settleFully(id: string) {
  for (let i = 0; i < 6; i++) {
    w.wall.ms += 61_000;
    w.emu.control.advance({ minutes: 6 });
    await w.run();
  }
  return w.api.get(id);
}

describe("at most one block per request", () => {
  it("settles a 5xx after EC2 committed by finding the tagged reservation, never buying again", async () => {
    w.emu.control.injectFault({ action: "PurchaseCapacityBlock", kind: "error-after" });
    const id = await w.open({ requireApproval: false });

    const first = await w.run();
    const ambiguous = await w.api.get(id);
    w.emu.control.advance({ minutes: 1 });
    const next = await w.run();

    expect(first.statuses[id]).toBe("purchasing");
    expect(ambiguous.intent).toBeTruthy();
    expect(next.statuses[id]).toBe("payment-pending");
    const ledger = blockPurchases(w.emu);
    expect(ledger).toHaveLength(1);
    expect(ledger[0]).toMatchObject({ faultAfter: true });
    expect((await settleFully(id)).status).toBe("fulfilled");
    expect(blockPurchases(w.emu)).toHaveLength(1);
  });

  it("settles a timed-out purchase from EC2 after the fact", async () => {
    w.emu.control.injectFault({ action: "PurchaseCapacityBlock", kind: "latency", ms: 1_500 });
    const id = await w.open({ requireApproval: false });

    const first = await w.run({ timeoutMs: 300 });
    await new Promise((r) => setTimeout(r, 1_500));
    const settled = await settleFully(id);

    expect(first.statuses[id]).toBe("purchasing");
    expect(settled.status).toBe("fulfilled");
    expect(blockPurchases(w.emu)).toHaveLength(1);
  });

  it("after a crash between the intent and the call: waits for callSettledAt, finds no tag, then buys once", async () => {
    const id = await w.open({ requireApproval: false });

    const crashed = await w.run({ wrapRequests: crashAfterIntent });
    w.emu.control.advance({ minutes: 1 });
    const early = await w.run();
    const stillOpen = await w.api.get(id);
    w.wall.ms += 61_000;
    w.emu.control.advance({ minutes: 1 });
    const settledNotBought = await w.run();
    const settled = await settleFully(id);

    expect(crashed.errors).toEqual([{ id, message: "died after writing the intent" }]);
    expect(early.statuses[id]).toBe("purchasing");
    expect(stillOpen.intent).toBeTruthy();
    expect(blockPurchases(w.emu)).toHaveLength(1);
    expect(settledNotBought.statuses[id]).toBe("searching");
    expect(settled.status).toBe("fulfilled");
  });

  it("after a crash once EC2 answered: records the purchase from its tag on the next run", async () => {
    const id = await w.open({ requireApproval: false });

    const crashed = await w.run({ wrapRequests: crashBeforeRecording });
    const afterCrash = await w.api.get(id);
    w.emu.control.advance({ minutes: 1 });
    const next = await w.run();

    expect(crashed.errors).toEqual([{ id, message: "died holding the answer" }]);
    expect(blockPurchases(w.emu)).toHaveLength(1);
    expect(afterCrash.status).toBe("purchasing");
    expect(afterCrash.purchase ?? null).toBeNull();
    expect(next.statuses[id]).toBe("payment-pending");
    expect((await settleFully(id)).status).toBe("fulfilled");
    expect(blockPurchases(w.emu)).toHaveLength(1);
  });

  it("lets only one of two overlapping runs buy", async () => {
    const id = await w.open({ requireApproval: false });

    const [a, b] = await Promise.all([w.run(), w.run()]);

    // How far the two runs overlap depends on scheduling: the loser either lost the intent write (a conflict) or
    // read the request after the winner's intent; it never buys either way.
    expect(a.conflicts + b.conflicts).toBeLessThanOrEqual(1);
    expect(blockPurchases(w.emu)).toHaveLength(1);
    expect((await settleFully(id)).status).toBe("fulfilled");
    expect(blockPurchases(w.emu)).toHaveLength(1);
  });

  it("clears the intent on a certain refusal, buying nothing more than once later", async () => {
    w.emu.control.setErrorCode("offering-stale", "InvalidCapacityBlockOfferingIdExpired", 400);
    w.emu.control.injectFault({ action: "PurchaseCapacityBlock", kind: "throttle" });
    const id = await w.open({ requireApproval: false });

    const refused = await w.run();
    const afterRefusal = await w.api.get(id);
    const settled = await settleFully(id);

    expect(refused.statuses[id]).toBe("searching");
    expect(afterRefusal.intent).toBeNull();
    expect(settled.status).toBe("fulfilled");
    expect(blockPurchases(w.emu)).toHaveLength(1);
  });
});

describe("one classification of purchase errors", () => {
  it("takes an error nobody classified, after EC2 committed, as ambiguous, settling it from the tag", async () => {
    const id = await w.open({ requireApproval: false });
    // The market answers with an error no adapter mapped (a bug, a proxy's odd reply) once EC2 has bought.
    const unmapped = (inner: BlockMarket): BlockMarket => ({
      ...inner,
      async purchase(region, offeringId, opts) {
        await inner.purchase(region, offeringId, opts);
        throw new TypeError("Cannot read properties of undefined (reading 'CapacityReservation')");
      },
    });

    const first = await w.run({ wrapMarket: unmapped });
    const ambiguous = await w.api.get(id);
    w.emu.control.advance({ minutes: 1 });
    const next = await w.run();

    expect(first.errors).toEqual([]);
    expect(ambiguous.status).toBe("purchasing");
    expect(ambiguous.statusReason).toMatch(/^Purchase outcome unknown/);
    expect(next.statuses[id]).toBe("payment-pending");
    expect((await settleFully(id)).status).toBe("fulfilled");
    expect(blockPurchases(w.emu)).toHaveLength(1);
  });
});
