import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { useProject } from "sst/project.js";
import { afterAll, describe, expect, it } from "vitest";
import { cleanUp, STACK_IDS, synthesize } from "./synth.js";

/*
 * A template linter over the synthesized templates: AWS's cfn-lint (Python), checking every resource's properties
 * against CloudFormation's current resource specification. It does not install from npm: the npm package named
 * cfn-lint is another project, last published with a 2019 specification, which rejects valid templates (it knows no
 * DeletionProtectionEnabled on a table, no Tags on an alarm or a role, and cannot parse the Api stack). So the test
 * runs where AWS's cfn-lint is on the PATH (`pip install cfn-lint`) and says it was skipped elsewhere.
 */
afterAll(cleanUp);

const found = spawnSync("cfn-lint", ["--version"], { encoding: "utf8" });
const available = found.status === 0;
if (!available) console.warn("stacks/test/lint.test.ts: cfn-lint is not on the PATH (pip install cfn-lint); template lint skipped");

/** W3005: CDK writes DependsOn beside a GetAtt on each function's role; harmless, and not ours to change. */
const IGNORED = ["W3005"];

describe.skipIf(!available)(`cfn-lint (${found.stdout?.trim() ?? "absent"})`, () => {
  it("finds nothing in any stack, with or without ADMIN_EMAIL", { timeout: 300_000 }, async () => {
    for (const variant of [{ stage: "prod", adminEmail: "ops@example.com" }, { stage: "dev" }]) {
      const v = await synthesize(variant);
      const dir = path.join(useProject().paths.out, "lint", v.stage);
      mkdirSync(dir, { recursive: true });
      const files = STACK_IDS.map((id) => {
        const file = path.join(dir, `${id}.json`);
        writeFileSync(file, JSON.stringify(v.templates[id].toJSON(), null, 1));
        return file;
      });
      const run = spawnSync("cfn-lint", ["--format", "parseable", "--ignore-checks", ...IGNORED, "--", ...files], { encoding: "utf8" });
      expect(run.stdout + run.stderr, v.stage).toBe("");
      expect(run.status, v.stage).toBe(0);
    }
  });
});
