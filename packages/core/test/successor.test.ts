import { describe, expect, it } from "vitest";
import { planSuccessor } from "../src/index";
import { runBlock } from "./fixtures";

const block = runBlock;
const NOW = "2026-11-24T12:00:00.000Z";

describe("planSuccessor", () => {
  it("asks for the same type, count and zone from the block's end, with the budget that is left", () => {
    const plan = planSuccessor(block(), NOW);

    expect(plan.kind).toBe("open");
    if (plan.kind !== "open") return;
    expect(plan.id).toBe(`succ-cr-00000000000000001-${Date.parse("2026-11-25T11:30:00.000Z")}`);
    expect(plan.body).toMatchObject({
      instanceType: "p5.48xlarge",
      instanceCount: 4,
      durationDays: 7,
      earliestStart: "2026-11-25T11:30:00.000Z",
      availabilityZones: ["us-east-1a"],
      maxUpfrontFee: "9000",
      budget: "19900",
      requireApproval: true,
      blockPk: "run-next",
      successorOf: "cr-00000000000000001",
    });
  });

  it("names the same request for every registration of the reservation", () => {
    const first = planSuccessor(block({ PK: "run", registrationId: "01JREG" }), NOW);
    const again = planSuccessor(block({ PK: "run-again", registrationId: "01JOTHER" }), NOW);

    expect(first.kind === "open" && again.kind === "open" && first.id === again.id).toBe(true);
  });

  it("names a new request for the next window", () => {
    const first = planSuccessor(block(), NOW);
    const nextWindow = planSuccessor(block({ endDate: "2026-11-26T11:30:00.000Z" }), NOW);

    expect(nextWindow.kind === "open" && first.kind === "open" && nextWindow.id !== first.id).toBe(true);
  });

  it("skips a window whose successor was bought already, whatever the registration", () => {
    const bought = {
      requestId: "succ-x",
      capacityReservationId: "cr-0000000000000beef",
      upfrontFee: "240",
      currency: "USD",
      window: "2026-11-25T11:30:00.000Z",
      countedAt: NOW,
    };

    expect(planSuccessor(block({ successorPurchases: [bought] }), NOW)).toEqual({
      kind: "skip",
      reason: "a successor was bought for this window",
    });
  });

  it("skips blocks whose policy does not ask, that were extended, whose window is closed or whose budget is spent", () => {
    expect(planSuccessor(block({}, { openSuccessorRequest: false }), NOW).kind).toBe("skip");
    expect(planSuccessor(block({ status: "waiting" }), NOW).kind).toBe("skip");
    expect(planSuccessor(block(), "2026-11-20T00:00:00.000Z").kind).toBe("skip");
    expect(planSuccessor(block({ spent: "20000" }), NOW)).toEqual({ kind: "skip", reason: "the budget is spent" });
  });
});
