import { describe, expect, it } from "vitest";
import { parsePan, runSpin } from "../spin";

/** The completeness check is what makes a passing run mean something: it must see a search that stopped early. */
describe("reading spin's report", () => {
  it("calls a search cut short by its memory limit incomplete", () => {
    const run = runSpin({ file: "protocol.pml", memLimitMb: 160 });

    expect(run.output).toContain("-DMEMLIM bound");
    expect(run.complete).toBe(false);
  });

  it("calls a search that hit the depth bound incomplete", () => {
    const report = "error: max search depth too small\nState-vector 116 byte, depth reached 9999, errors: 0\n";

    expect(parsePan(report).complete).toBe(false);
  });
});
