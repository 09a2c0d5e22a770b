import { describe, expect, it } from "vitest";
import { adoptLedger, countSuccessor, ledgerAfterDelete, type Block } from "../src/index";
import { runBlock } from "./fixtures";

const NOW = new Date("2026-11-24T12:00:00.000Z");
/** A block that bought one extension and spent 100 of a budget of 2000 USD. */
const block = (over: Partial<Block> = {}): Block =>
  runBlock({ extensionsPurchased: 1, ...over }, { extendByDays: 1, requireApproval: false, maxUpfrontFee: undefined, budget: "2000" });
const bought = {
  requestId: "succ-cr-00000000000000001-1795606200000",
  capacityReservationId: "cr-0000000000000beef",
  upfrontFee: "240",
  currency: "USD",
  window: "2026-11-25T11:30:00.000Z",
};

describe("countSuccessor", () => {
  it("adds the successor's fee to the predecessor's spent once, by request id", () => {
    const first = countSuccessor(block(), bought, NOW);
    const again = first.kind === "counted" ? countSuccessor(first.block, bought, NOW) : first;

    expect(first.kind).toBe("counted");
    if (first.kind !== "counted") return;
    expect(first.block.spent).toBe("340");
    expect(first.block.successorPurchases).toEqual([{ ...bought, countedAt: NOW.toISOString() }]);
    expect(first.event).toMatchObject({ type: "purchased", actor: `request:${bought.requestId}` });
    expect(again).toEqual({ kind: "already-counted" });
  });

  it("records a fee in another currency without adding it to spent", () => {
    const r = countSuccessor(block(), { ...bought, currency: "EUR" }, NOW);

    expect(r.kind === "counted" && r.block.spent).toBe("100");
    expect(r.kind === "counted" && r.block.successorPurchases?.length).toBe(1);
  });

  it("carries the counted successors across delete and re-register with the spend", () => {
    const counted = countSuccessor(block(), bought, NOW);
    if (counted.kind !== "counted") throw new Error("not counted");
    const ledger = ledgerAfterDelete(counted.block, undefined, NOW);
    const fresh = block({ registrationId: "01JNEW", spent: "0", extensionsPurchased: 0, successorPurchases: undefined });

    const adopted = adoptLedger(fresh, ledger).block;

    expect(adopted.spent).toBe("340");
    expect(adopted.successorPurchases?.map((s) => s.requestId)).toEqual([bought.requestId]);
    expect(countSuccessor(adopted, bought, NOW)).toEqual({ kind: "already-counted" });
  });
});
