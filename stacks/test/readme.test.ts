import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { DEV_BUYING_VARIABLE } from "../dev-mode.js";
import { WATCHED_FUNCTION_NAMES } from "../monitoring.js";
import { TICK_TIMING_VARIABLES } from "../stage.js";
import { onlyResource, ROOT, STACK_IDS, type StackId } from "./synth.js";
import { type Json, prod, props, useProdAndDev } from "./templates.js";

/*
 * stacks/README.md (the stacks and their functions), docs/operations.md (first deploy, sst dev, the alarm runbook)
 * and docs/configuration.md (deploy-time settings) state facts the stacks also state: where both do, they must agree.
 */
useProdAndDev();

const README = readFileSync(path.join(ROOT, "stacks/README.md"), "utf8");
const OPERATIONS = readFileSync(path.join(ROOT, "docs/operations.md"), "utf8");
const CONFIGURATION = readFileSync(path.join(ROOT, "docs/configuration.md"), "utf8");

/** The rows of the first Markdown table under `## heading` in `page`, as arrays of cells with backticks removed. */
function table(heading: string, page = README): string[][] {
  const section = page.split(/^## /m).find((s) => s.startsWith(heading));
  if (!section) throw new Error(`no section ${heading}`);
  const rows = section.split("\n").filter((l) => l.startsWith("|"));
  return rows.slice(2).map((r) =>
    r
      .split("|")
      .slice(1, -1)
      .map((c) => c.trim().replace(/`/g, "")),
  );
}

/** Where each function the README names lives in the templates. */
const WHERE: Record<(typeof WATCHED_FUNCTION_NAMES)[number], { stack: StackId; id: string }> = {
  Api: { stack: "Api", id: "ApiHandler" },
  Web: { stack: "Api", id: "WebHandler" },
  Planning: { stack: "Api", id: "PlanningHandler" },
  KeyRotation: { stack: "Secrets", id: "KeyRotation" },
  Tick: { stack: "Jobs", id: "Tick" },
  Requests: { stack: "Jobs", id: "Requests" },
  Notices: { stack: "Notices", id: "NoticesHandler" },
};

describe("stacks/README.md and the docs it shares facts with", () => {
  it("describes exactly the stacks there are", () => {
    expect(
      table("The stacks")
        .map((r) => r[0])
        .sort(),
    ).toEqual([...STACK_IDS].sort());
  });

  it("describes all seven functions as deployed: timeout, memory", () => {
    const rows = table("The seven functions");
    expect(rows.map((r) => r[0]).sort()).toEqual([...WATCHED_FUNCTION_NAMES].sort());
    for (const [name, timeout, memory] of rows) {
      const where = WHERE[name as keyof typeof WHERE];
      const fn = props(onlyResource(prod.templates[where.stack], "AWS::Lambda::Function", where.id));
      expect(timeout, name).toBe(`${fn.Timeout as number} s`);
      expect(memory, name).toBe(`${fn.MemorySize as number} MB`);
    }
  });

  it("has a runbook section for every alarm's runbook link, and lists every alarm that is not per function", () => {
    const alarms = Object.values(prod.templates.Monitoring.findResources("AWS::CloudWatch::Alarm")) as { Properties: Json }[];
    const listed = table("Alarms", OPERATIONS).map((r) => r[0]);
    for (const a of alarms) {
      const anchor = /Runbook: docs\/operations\.md#([a-z0-9-]+)$/.exec(a.Properties.AlarmDescription as string)![1]!;
      expect(OPERATIONS, anchor).toContain(`\n#### ${anchor}\n`);
      const id = (a.Properties.AlarmName as string).replace("prod-capacity-block-manager-", "");
      const perFunction = WATCHED_FUNCTION_NAMES.some((f) => id === `${f}Errors` || id === `${f}Throttles` || id === `${f}Duration`);
      if (!perFunction) expect(listed, id).toContain(id);
    }
  });

  it("names every deploy-time setting the stacks read", () => {
    const settings = table("At deploy", CONFIGURATION).flatMap((r) => r[0]!.split(/,\s*/));
    for (const name of ["ADMIN_EMAIL", "ALARM_EMAIL", "CBM_REGIONS", "LOG_LEVEL", "EXPIRY_REMINDERS", ...TICK_TIMING_VARIABLES]) {
      expect(settings).toContain(name);
    }
  });

  it("says how sst dev treats the buying jobs, with the variable that turns them on", () => {
    const section = OPERATIONS.split(/^## /m).find((s) => s.startsWith("Live Lambda development (`sst dev`)"))!;
    expect(section).toContain(`${DEV_BUYING_VARIABLE}=1 npx sst dev`);
    expect(section).toMatch(/`Tick` and `Requests` rules are deployed disabled/);
  });
});
