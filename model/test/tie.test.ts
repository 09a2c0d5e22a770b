import { readFileSync } from "node:fs";
import type { Decision } from "@cbm/core";
import { describe, expect, it } from "vitest";
import { realCore, type CoreTransitions } from "../fixtures";
import { describeRun, runSpin } from "../spin";
import { generateTables } from "../tables";

const committed = () => readFileSync(new URL("../generated/tables.pml", import.meta.url), "utf8");

/**
 * A core whose engine buys on an approval that no longer covers the offering (the defect of issue 13, put back in
 * core instead of in the model): what a change to core's transitions looks like to the tie.
 */
const driftedCore: CoreTransitions = {
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
};

describe("the model is tied to core", () => {
  it("decides exactly as core's transitions do today (regenerate with: npx tsx model/generate.ts)", () => {
    expect(generateTables(realCore)).toBe(committed());
  });

  it("notices when core's decisions change without the model", () => {
    expect(generateTables(driftedCore)).not.toBe(committed());
  });

  it("rejects the drifted core's decisions once they are in the model", () => {
    const run = runSpin({ file: "protocol.pml", tables: generateTables(driftedCore), shortest: true });

    console.info(`${describeRun("drifted core", run)}\n  violated: ${run.violated}\n  steps:\n    ${run.steps.join("\n    ")}`);
    expect(run.errors).toBeGreaterThan(0);
    expect(run.violated).toContain("fee<=aSeen");
  });
});
