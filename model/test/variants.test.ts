import { describe, expect, it } from "vitest";
import { describeRun, runSpin } from "../spin";
import { VARIANTS } from "../variants";

/** Each historical defect, put back into the model, is rejected by spin with a counterexample naming its property. */
describe("the model finds the old defects", () => {
  for (const v of VARIANTS) {
    it(`rejects ${v.name}`, () => {
      const run = runSpin({ file: v.file, defines: v.defines, shortest: true });

      console.info(
        `${describeRun(v.name, run)}\n  defect: ${v.defect}\n  violated: ${run.violated}\n  steps:\n${run.steps.map((s, i) => `    ${i + 1}. ${s}`).join("\n")}`,
      );
      expect(run.errors, run.output).toBeGreaterThan(0);
      expect(run.violated).toContain(v.violates);
      expect(run.steps.length).toBeGreaterThan(0);
    });
  }
});
