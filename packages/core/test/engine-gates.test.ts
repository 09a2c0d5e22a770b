import { describe, expect, it } from "vitest";
import { DECISION_GATES, decide, type DecideInput } from "../src/index";
import { END, HOUR, before, input, intent, makeBlock, makeReservation, record } from "./fixtures";

// decide() is a sequence of gates, and the first that decides wins: the order itself is a rule of the engine.

describe("decide: the order of its gates", () => {
  it("applies its gates in the order the engine documents", () => {
    expect(DECISION_GATES).toEqual([
      "purchaseInFlight",
      "reservationUnknown",
      "reservationExpired",
      "notOwned",
      "otherStage",
      "unclaimed",
      "extensionPaymentPending",
      "paused",
      "reservationPaymentPending",
      "notExtendable",
      "extendUntilReached",
      "maxExtensionsReached",
      "windowAlreadyBought",
      "windowNotOpen",
      "windowClosed",
      "windowDenied",
      "buyOrAsk",
      "policyAuthorizes",
      "approvalCovers",
      "autoApproved",
      "askForApproval",
    ]);
  });

  const paused = { enabled: false };
  const denial = { window: END, by: "eve", at: END };
  const afterClose = before(END, 30 * 60_000);
  /** Worlds that trip two gates, and what the earlier gate decides. */
  const cases: Array<[string, Partial<DecideInput>, string]> = [
    ["an intent before an unknown reservation", { block: makeBlock({ intent: intent() }), reservation: undefined }, "settle-intent"],
    [
      "an expired reservation before a paused policy",
      { block: makeBlock({}, paused), reservation: makeReservation({ state: "expired" }) },
      "expired",
    ],
    [
      "another owner before a pending payment",
      { reservation: makeReservation({ ownerId: "999999999999" }), history: [record()] },
      "not-owned",
    ],
    ["a pending payment before a paused policy", { block: makeBlock({}, paused), history: [record()] }, "await-payment"],
    ["a paused policy before a window not open yet", { block: makeBlock({}, paused), now: before(END, 40 * 24 * HOUR) }, "paused"],
    ["a bought window before a closed one", { block: makeBlock({ lastPurchaseWindow: END }), now: afterClose }, "extension-bought"],
    ["a closed window before a denial", { block: makeBlock({ denial }), now: afterClose }, "window-closed"],
    ["a denial before the offerings", { block: makeBlock({ denial }), offerings: new Map() }, "denied"],
  ];
  for (const [name, world, decided] of cases) {
    it(`decides ${name}`, () => {
      const d = decide(input(world));

      const said = d.kind === "stop" ? d.reason : d.kind === "wait" ? d.reason : d.kind;
      expect(said).toBe(decided);
    });
  }
});
