import { describe, expect, it } from "vitest";
import { describeRun, runSpin, spinAvailable } from "../spin";
import { MODELS } from "../runs";

/**
 * Every run of the model searches its whole bounded state space and finds no violation. A truncated search (depth,
 * memory) fails the test: it would prove nothing about the states it did not reach.
 */
describe("the purchase protocol model", () => {
  it("has spin installed (.ci/run installs Debian's spin)", () => {
    expect(spinAvailable(), "spin is not on PATH: sudo apt-get install -y spin").toBe(true);
  });

  for (const model of MODELS.filter((m) => m.knownDefect === undefined)) {
    it(`holds every property in ${model.name}`, () => {
      const run = runSpin({ file: model.file, defines: model.defines });

      console.info(describeRun(model.name, run));
      expect(run.complete, run.output).toBe(true);
      expect(run.errors, [run.violated, ...run.steps].join("\n")).toBe(0);
      expect(run.states).toBeGreaterThan(model.minStates);
    });
  }

  for (const model of MODELS.filter((m) => m.knownDefect !== undefined)) {
    it(`still finds the known defect in ${model.name} (${model.knownDefect})`, () => {
      const run = runSpin({ file: model.file, defines: model.defines, shortest: true });

      console.info(`${describeRun(model.name, run)}\n  violated: ${run.violated}\n  steps:\n    ${run.steps.join("\n    ")}`);
      expect(run.errors, "core no longer has this defect: drop knownDefect from model/runs.ts so the run must pass").toBeGreaterThan(0);
    });
  }
});
