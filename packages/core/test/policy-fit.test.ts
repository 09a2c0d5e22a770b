import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  applyVerdict,
  decide,
  linkState,
  policyAllows,
  wantedDurationsDays,
  type Block,
  type ExtensionOffering,
  type ExtensionPolicy,
} from "../src/index";
import { DAY, END, HOUR, QUOTE, askedBlock, before, makeReservation, plus, quoteLinkClaims, settings } from "./fixtures";

// A link answered after the policy changed: what it may still record, and that the tick agrees.
const now = before(END, 24 * HOUR);
const quoted = QUOTE;
const asked = (policy: Partial<ExtensionPolicy> = {}, over: Partial<Block> = {}): Block => askedBlock(now, { policy, over });
const claims = quoteLinkClaims(asked());

describe("policyAllows", () => {
  it("allows the quote the policy asked about", () => {
    expect(policyAllows(asked(), END, quoted)).toEqual({ fits: true });
  });

  it.each([
    ["paused", { enabled: false }, {}, "paused", /paused/],
    ["a lower cap", { maxUpfrontFee: "1000.00" }, {}, "above-cap", /1510.27 USD is above the policy's maxUpfrontFee 1000.00/],
    [
      "a lower budget",
      { budget: "2000.00" },
      { spent: "600.00" },
      "over-budget",
      /spending to 2110.27, over the policy's budget of 2000.00/,
    ],
    ["another duration", { extendByDays: 7 }, {}, "duration", /extends by 7 days, not 1 day/],
    ["another currency", { currency: "EUR" }, {}, "currency", /currency is EUR, not USD/],
    ["extendUntil reached", { extendUntil: END }, {}, "extend-until-reached", /extendUntil/],
    [
      "maxExtensions reached",
      { maxExtensions: 2 },
      { extensionsPurchased: 2 },
      "max-extensions-reached",
      /2 of the policy's maxExtensions 2/,
    ],
  ] as const)("refuses after %s, naming the rule", (_what, policy, over, misfit, reason) => {
    const fit = policyAllows(asked(policy, over), END, quoted);

    expect(fit).toMatchObject({ fits: false, misfit, reason: expect.stringMatching(reason) });
  });
});

describe("a link answered after the policy changed", () => {
  it.each([
    ["a pause", { enabled: false }, {}],
    ["a lower cap", { maxUpfrontFee: "1000.00" }, {}],
    ["a lower budget", { budget: "2000.00" }, { spent: "600.00" }],
    ["a changed duration", { extendByDays: 7 }, {}],
    ["a changed currency", { currency: "EUR" }, {}],
  ] as const)("is superseded after %s, saying which rule", (_what, policy, over) => {
    const state = linkState(claims, asked(policy, over), now, undefined);

    expect(state).toMatchObject({
      kind: "superseded",
      reason: expect.stringMatching(/^the block's policy no longer allows these terms: /),
    });
  });

  it("stays ready after an edit that keeps its terms inside the policy (a higher cap)", () => {
    expect(linkState(claims, asked({ maxUpfrontFee: "2000.00", budget: "5000.00" }), now, undefined).kind).toBe("ready");
  });
});

/** Every duration the policy wants is answered (the engine asks for what is missing); only 1 day is on offer. */
function offeringsFor(block: Block): Map<number, ExtensionOffering[]> {
  const m = new Map<number, ExtensionOffering[]>(wantedDurationsDays(block.policy, END).map((d) => [d * 24, []]));
  m.set(24, [quoted]);
  return m;
}

const money = fc.constantFrom(undefined, "500.00", "1510.26", "1510.27", "1510.28", "3000.00");
const policies = fc.record({
  enabled: fc.boolean(),
  maxUpfrontFee: money,
  budget: money,
  extendByDays: fc.constantFrom(1, 7, 14),
  allowShorterFallback: fc.boolean(),
  currency: fc.constantFrom("USD", "EUR"),
  extendUntil: fc.constantFrom(undefined, END, plus(END, DAY), plus(END, 10 * DAY)),
  maxExtensions: fc.constantFrom(undefined, 1, 3),
});
const spent = fc.constantFrom("0", "1.00", "1500.00");

describe("a link and the scheduler cannot disagree", () => {
  it("a link is ready exactly when the tick would buy under the approval it records", () => {
    fc.assert(
      fc.property(policies, spent, fc.constantFrom(0, 1, 2), (p, spentSoFar, bought) => {
        const policy = Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined)) as Partial<ExtensionPolicy>;
        const block = asked(policy, { spent: spentSoFar, extensionsPurchased: bought });
        const state = linkState(claims, block, now, undefined);
        // Record the approval the link would record, even where the link refuses to, and ask the engine about it.
        const approved = applyVerdict(block, "approved", { by: "link:fin@example.com", terms: linkStateTerms() }, now).block;
        const d = decide({ block: approved, reservation: makeReservation(), history: [], offerings: offeringsFor(block), now, settings });

        expect(state.kind === "ready", `${state.kind} vs ${d.kind} ${"reason" in d ? d.reason : ""}`).toBe(d.kind === "purchase");
      }),
      { numRuns: 500 },
    );
  });
});

/** The terms a link records: the quote, exactly (taken from the unchanged block, where the link is ready). */
function linkStateTerms() {
  const s = linkState(claims, asked(), now, undefined);
  if (s.kind !== "ready") throw new Error("the unchanged block should take the link");
  return s.terms;
}
