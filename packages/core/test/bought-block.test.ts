import { describe, expect, it } from "vitest";
import { boughtBlockBudget, countOwnPurchase, feeFitsPolicy } from "../src";
import { makeBlock } from "./fixtures";

describe("a block a capacity request bought", () => {
  const bought = () => {
    const budget = boughtBlockBudget("755.14", "4244.86");
    const block = makeBlock({ spent: "0" }, { budget, currency: "USD" });
    return { budget, ...countOwnPurchase(block, { requestId: "R1", upfrontFee: "755.14", currency: "USD" }) };
  };

  it("counts its own fee in spent", () => {
    const { budget, block: counted, event } = bought();

    expect(budget).toBe("5000");
    expect(counted.spent).toBe("755.14");
    expect(event).toMatchObject({ type: "purchased", data: { requestId: "R1", upfrontFee: "755.14" } });
  });

  it("leaves extensions exactly what the request left", () => {
    const { block: counted } = bought();

    expect(feeFitsPolicy(counted, "4244.86")).toEqual({ fits: true });
    expect(feeFitsPolicy(counted, "4244.87")).toMatchObject({ fits: false, misfit: "over-budget" });
  });

  it("records but does not add a fee in another currency", () => {
    const block = makeBlock({ spent: "0" }, { currency: "USD" });

    const { block: counted, event } = countOwnPurchase(block, { requestId: "R2", upfrontFee: "900", currency: "EUR" });

    expect(counted.spent).toBe("0");
    expect(event.message).toMatch(/not added to spent, which is in USD/);
  });

  it("has no budget when the request left none", () => {
    expect(boughtBlockBudget("900", undefined)).toBeUndefined();
  });
});
