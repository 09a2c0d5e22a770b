import { readFileSync } from "node:fs";
import type { Decision } from "@cbm/core";
import { describe, expect, it } from "vitest";
import { realCore, type CoreTransitions } from "../fixtures";
import { describeRun, runSpin } from "../spin";
import { generateTables } from "../tables";

const committed = () => readFileSync(new URL("../generated/tables.pml", import.meta.url), "utf8");

/** Changes to core's transitions, each a defect found before, put back in core instead of in the model. */
const DRIFTED: readonly { name: string; core: CoreTransitions; violates: string }[] = [
  {
    // Issue 13: the engine buys on an approval that no longer covers the offering.
    name: "buys on a voided approval",
    violates: "(fee<=aSeen)",
    core: {
      ...realCore,
      decide: (input) => {
        const d = realCore.decide(input);
        if (d.kind !== "request-approval" || d.voided === undefined || input.block.approval?.terms === undefined) return d;
        const bought: Decision = {
          kind: "purchase",
          window: d.window,
          offering: d.offering,
          approval: "approved",
          authorization: { kind: "approval", terms: input.block.approval.terms },
        };
        return bought;
      },
    },
  },
  {
    // DESIGN: "buying again one minute later because the window is still open", while EC2's history lags.
    name: "forgets the window it bought",
    violates: "(w==endW)",
    core: {
      ...realCore,
      decide: (input) => realCore.decide({ ...input, block: { ...input.block, lastPurchaseWindow: null, pendingExtension: null } }),
    },
  },
];

describe("the model is tied to core", () => {
  it("decides exactly as core's transitions do today (regenerate with: npx tsx model/generate.ts)", () => {
    expect(generateTables(realCore)).toBe(committed());
  });

  for (const drift of DRIFTED) {
    it(`notices a core that ${drift.name}: its tables differ from the model's`, () => {
      expect(generateTables(drift.core)).not.toBe(committed());
    });

    it(`rejects a core that ${drift.name} once its tables are in the model`, () => {
      const run = runSpin({ file: "protocol.pml", tables: generateTables(drift.core), shortest: true });

      console.info(`${describeRun(drift.name, run)}\n  violated: ${run.violated}\n  steps:\n    ${run.steps.join("\n    ")}`);
      expect(run.errors).toBeGreaterThan(0);
      expect(run.violated).toContain(drift.violates);
    });
  }
});
