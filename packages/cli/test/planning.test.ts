import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startLocal, type LocalHandle } from "@cbm/local";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXIT } from "../src/errors";
import { cbm } from "./helpers";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

/*
 * The planning commands against local mode: the same listener serves the block API and the planning API, as API
 * Gateway does with its two integrations.
 */
let local: LocalHandle;
let root: string;
let api: string[];

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "cbm-cli-planning-"));
  local = await startLocal({ port: 0, clockRate: 0, tickSeconds: 0, stateDir: join(root, ".cbm", "local"), print: () => undefined });
  api = ["--api-url", local.apiUrl, "--api-key", local.apiKey];
});

afterAll(async () => {
  await local?.stop();
  rmSync(root, { recursive: true, force: true });
});

describe("cbm offerings", () => {
  it("prints a table, cheapest first, with the price per instance-hour", async () => {
    const run = await cbm([
      ...api,
      "offerings",
      "--type",
      "p5.48xlarge",
      "--count",
      "2",
      "--days",
      "2",
      "--regions",
      "us-east-1,us-west-2",
    ]);

    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^PRICE\/INST-H\s+TOTAL FEE\s+REGION\s+ZONE/);
    expect(lines).toHaveLength(7);
    expect(lines[1]).toMatch(/^31\.463958\s+3020\.54 USD\s+us-east-1\s+us-east-1a/);
  });

  it("prints one JSON document with --json", async () => {
    const run = await cbm([...api, "offerings", "--type", "p5.48xlarge", "--days", "1", "--json"]);

    const body = run.json<{ offerings: { offeringId: string }[]; regions: { status: string }[] }>();
    expect(body.offerings).toHaveLength(3);
    expect(body.regions).toEqual([{ region: "us-east-1", status: "ok", offerings: 3 }]);
  });

  it("says when nothing matches", async () => {
    local.emulator!.control.setCapacity({ instanceType: "trn2.48xlarge", available: false });

    const none = await cbm([...api, "offerings", "--type", "trn2.48xlarge", "--days", "1"]);

    expect(none.stdout).toMatch(/No offerings match/);
  });

  it("refuses a duration off EC2's ladder as a usage error, naming the ladder", async () => {
    const bad = await cbm([...api, "offerings", "--type", "p5.48xlarge", "--hours", "30"]);

    // Found before asking the API.
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--hours 30 is not whole days on EC2's ladder \(EC2 sells 1–14 days, then 21/);
  });

  it("refuses a search without --type as a usage error", async () => {
    const missing = await cbm([...api, "offerings", "--days", "1"]);

    expect(missing.code).toBe(2);
  });
});

describe("cbm request", () => {
  const latest = () => new Date(local.clock.now().getTime() + 5 * 86_400_000).toISOString();
  /** `cbm request add` for an instance type and a number of days, latest start five days out, plus the given flags. */
  const addRequest = (type: string, days: number, ...flags: string[]) =>
    cbm([...api, "request", "add", "--type", type, "--days", String(days), "--latest-start", latest(), ...flags]);

  it("opens a request that the next runs fulfil as a managed block", async () => {
    const add = await addRequest("p4d.24xlarge", 1, "--max-fee", "400", "--no-approval", "--pk", "cli-bought", "--json");
    const id = add.json<{ id: string }>().id;

    await local.tick();
    local.emulator!.control.advance({ minutes: 6 });
    await local.tick();
    const got = await cbm([...api, "request", "get", id]);
    const list = await cbm([...api, "request", "list"]);
    const blocks = await cbm([...api, "get", "cli-bought", "--json"]);

    expect(add.code).toBe(0);
    expect(got.stdout).toMatch(/: fulfilled/);
    expect(got.stdout).toMatch(/bought\s+cr-[0-9a-f]{17} for 277\.68 USD \(scheduled\) · managed as cli-bought/);
    expect(list.stdout).toMatch(new RegExp(`${id}\\s+-\\s+fulfilled\\s+1 × p4d.24xlarge`));
    expect(blocks.json<{ capacityReservationId: string }>().capacityReservationId).toMatch(/^cr-/);
  });

  it("finds a request by its name, as by its id, for get or cancel", async () => {
    const add = await addRequest("trn1.32xlarge", 1, "--max-rate", "10", "--name", "named-run", "--json");
    const id = add.json<{ id: string }>().id;
    await local.tick();

    const got = await cbm([...api, "request", "get", "named-run", "--json"]);
    const cancelled = await cbm([...api, "request", "cancel", "named-run", "--json"]);

    expect(got.code, got.stderr).toBe(0);
    expect(got.json<{ id: string }>().id).toBe(id);
    expect(cancelled.code, cancelled.stderr).toBe(0);
    expect(cancelled.json<{ id: string; status: string }>()).toMatchObject({ id, status: "cancelled" });
  });

  it("refuses a name an open request holds with the conflict exit code, naming the field's holder", async () => {
    const add = (name: string) => addRequest("trn1.32xlarge", 1, "--max-rate", "10", "--name", name);
    const first = await add("taken-name");

    const second = await add("taken-name");

    expect(first.code, first.stderr).toBe(0);
    expect(second.code).toBe(EXIT.conflict);
    expect(second.stderr).toMatch(/NAME_TAKEN/);
    expect(second.stderr).toMatch(/- name: is taken by request [0-9A-Z]{26}/);
  });

  it("approves the quoted terms of a request that asks for approval", async () => {
    const add = await addRequest("trn1.32xlarge", 1, "--max-rate", "10", "--json");
    const id = add.json<{ id: string }>().id;
    await local.tick();

    const approve = await cbm([...api, "request", "approve", id]);

    expect(approve.stdout).toMatch(/^Approved: 1 × trn1.32xlarge in us-east-1a for 1 day from .*, at most 230.21 USD/);
  });

  it("cancels an open request", async () => {
    const other = await addRequest("trn1.32xlarge", 2, "--budget", "1", "--json");

    const cancel = await cbm([...api, "request", "cancel", other.json<{ id: string }>().id]);

    expect(cancel.stdout).toMatch(/^Cancelled request/);
  });

  it("refuses a request without a price cap", async () => {
    const refused = await addRequest("trn1.32xlarge", 1);

    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/never buys without a price cap/);
  });
});

describe("cbm report", () => {
  it("shows the bought block's fee per block and per month", async () => {
    const json = await cbm([...api, "report", "--json"]);

    const report = json.json<{
      blocks: { pk: string; blockFee: string; reservedInstanceHours?: number }[];
      months: { newBlocks: string }[];
    }>();
    expect(report.blocks.find((b) => b.pk === "cli-bought")).toMatchObject({ blockFee: "277.68", reservedInstanceHours: 24 });
    expect(report.months.map((m) => m.newBlocks)).toContain("277.68");
  });

  it("prints CSV with one column per report field", async () => {
    const csv = await cbm([...api, "report", "--csv"]);

    expect(csv.stdout.split("\r\n")[0]).toBe(
      "pk,name,team,capacityReservationId,instanceType,instanceCount,reservedInstanceHours,usedInstanceHours,blockFee,extensionSpend,total,currency,pricePerInstanceHour",
    );
  });

  it("prints text that starts with the months", async () => {
    const text = await cbm([...api, "report"]);

    expect(text.stdout).toMatch(/^By month\nMONTH/);
  });
});

describe("cbm usage", () => {
  it("shows the instances running in a block, as sampled from EC2", async () => {
    local.emulator!.control.setRunning("cr-0000000000000d001", 1);
    local.emulator!.control.advance({ minutes: 11 });
    await local.tick();

    const run = await cbm([...api, "usage", "--json"]);

    const row = run
      .json<{ blocks: { pk: string; running: number; total: number; state: string }[] }>()
      .blocks.find((b) => b.pk === "llm-pretrain");
    expect(row).toMatchObject({ running: 1, state: "active" });
  });
});
