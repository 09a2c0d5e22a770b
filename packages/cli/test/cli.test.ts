import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Block, HistoryEvent } from "@cbm/core";
import { startLocal, type LocalHandle } from "@cbm/local";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CbmApiError, createCbmClient, type CbmClient } from "../src/client";
import { cbm } from "./helpers";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

let local: LocalHandle;
let root: string;
let client: CbmClient;
let api: string[];

/** An 11:30 UTC end date `days` ahead of the emulator's clock, as every Capacity Block has. */
function endIn(days: number): string {
  const d = new Date(local.clock.now().getTime() + days * 86_400_000);
  d.setUTCHours(11, 30, 0, 0);
  return d.toISOString();
}

/** A reservation known to EC2 (the emulator) but not managed by CBM. */
function seedReservation(id: string, opts: { days?: number; region?: string; ownerId?: string } = {}): string {
  local.emulator!.control.seedBlock({
    capacityReservationId: id,
    region: opts.region ?? "us-east-1",
    endDate: endIn(opts.days ?? 20),
    instanceType: "p5.48xlarge",
    tags: { Name: `seeded-${id.slice(-4)}` },
    ...(opts.ownerId ? { ownerId: opts.ownerId } : {}),
  });
  return id;
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "cbm-cli-"));
  local = await startLocal({ port: 0, clockRate: 0, tickSeconds: 0, stateDir: join(root, ".cbm", "local"), print: () => undefined });
  api = ["--api-url", local.apiUrl, "--api-key", local.apiKey];
  client = createCbmClient({ apiUrl: local.apiUrl, apiKey: local.apiKey, actor: "test" });
  await local.tick();
});

afterAll(async () => {
  await local?.stop();
  rmSync(root, { recursive: true, force: true });
});

describe("client", () => {
  it("follows the next-page cursor until every block is read", async () => {
    const first = await client.listPage({ limit: 2 });
    expect(first.items).toHaveLength(2);
    expect(first.cursor).toBeTruthy();
    const all = await client.list({ limit: 2 });
    expect(new Set(all.map((b) => b.PK)).size).toBe(all.length);
    expect(all.map((b) => b.PK)).toEqual(expect.arrayContaining(["llm-pretrain", "finetune-eval", "partner-shared", "west-cluster"]));
  });

  it("turns API errors into CbmApiError with status, code and field issues", async () => {
    const err = await client
      .create({ capacityReservationId: "cr-0000000000000e001", region: "us-east-1", policy: { lookaheadHours: 99_999 } })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CbmApiError);
    const e = err as CbmApiError;
    expect(e.status).toBe(400);
    expect(e.code).toBe("VALIDATION_FAILED");
    expect(e.issues.map((i) => i.field)).toContain("policy.lookaheadHours");
    const missing = (await client.get("no-such-block").catch((x: unknown) => x)) as CbmApiError;
    expect([missing.status, missing.code]).toEqual([404, "NOT_FOUND"]);
  });

  it("serves the OpenAPI document", async () => {
    const doc = await client.openapi();
    expect(String(doc.openapi)).toMatch(/^3\.1/);
  });
});

describe("cbm list / get", () => {
  it("lists as JSON, most urgent first, finished or unextendable blocks last", async () => {
    const r = await cbm(["list", "--json", ...api]);
    expect(r.code).toBe(0);
    const blocks = r.json<Block[]>();
    const live = blocks.filter((b) => b.status !== "not-owned");
    const ends = live.map((b) => Date.parse(b.endDate!));
    expect(ends).toEqual([...ends].sort((a, b) => a - b));
    expect(blocks.at(-1)!.PK).toBe("partner-shared");
    expect(r.stderr).toBe("");
  });

  it("prints a table with status, end date and time left", async () => {
    const r = await cbm(["list", ...api]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^PK\s+NAME\s+STATUS\s+REGION\s+END \(UTC\)\s+TIME LEFT$/);
    expect(lines[1]).toMatch(/^llm-pretrain\s+llm-pretrain\s+awaiting-approval\s+us-east-1\s+\d{4}-\d\d-\d\d 11:30Z\s+1d \d+h$/);
  });

  it("gets one block; a missing one exits 3 with the API's message", async () => {
    const ok = await cbm(["get", "llm-pretrain", "--json", ...api]);
    expect(ok.code).toBe(0);
    expect(ok.json<Block>().capacityReservationId).toBe("cr-0000000000000d001");
    const human = await cbm(["get", "llm-pretrain", ...api]);
    expect(human.stdout).toMatch(/Status:\s+awaiting-approval/);
    const missing = await cbm(["get", "nope", ...api]);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/No managed block with PK 'nope'.*HTTP 404/);
    expect(missing.stdout).toBe("");
  });

  it("shows a block's sampled usage: instances running, interconnect, idleness and the last 24 h", async () => {
    const human = await cbm(["get", "llm-pretrain", ...api]);
    const json = (await cbm(["get", "trn2-experiments", "--json", ...api])).json<{ usage: { running: number; idleSince: string } }>();

    expect(human.stdout).toMatch(/Usage:\s+2 of 2 running \(active\) at \d{4}-\d\d-\d\d \d\d:\d\dZ/);
    expect(human.stdout).toMatch(/Interconnect:\s+ok since /);
    expect(human.stdout).toMatch(/Idle:\s+no/);
    expect(human.stdout).toMatch(/Last 24 h:\s+\d+(\.\d+)? instance-hours over 1 sampled hour, peak 2 running/);
    expect(json.usage).toMatchObject({ running: 0, idleSince: expect.any(String) });
  });
});

describe("cbm add / update", () => {
  it("adds a block with a policy from flags, and refuses a duplicate with exit 4", async () => {
    const id = seedReservation("cr-0000000000000a001");
    const r = await cbm([
      "add",
      "--reservation",
      id,
      "--pk",
      "add-test",
      "--name",
      "Added",
      "--region",
      "us-east-1",
      "--extend-by-days",
      "14",
      "--lookahead-hours",
      "24",
      "--no-require-approval",
      "--max-fee",
      "9000.50",
      "--budget",
      "20000",
      "--max-extensions",
      "2",
      "--json",
      ...api,
    ]);
    expect(r.code, r.stderr).toBe(0);
    const b = r.json<Block>();
    expect(b).toMatchObject({ PK: "add-test", name: "Added", region: "us-east-1", capacityReservationId: id });
    expect(b.policy).toMatchObject({
      extendByDays: 14,
      lookaheadHours: 24,
      requireApproval: false,
      maxUpfrontFee: "9000.50",
      budget: "20000",
      maxExtensions: 2,
    });
    const again = await cbm(["add", "--reservation", id, "--pk", "add-test", "--region", "us-east-1", ...api]);
    expect(again.code).toBe(4);
    expect(again.stderr).toMatch(/already exists/);
  });

  it("rejects bad flags before sending anything (exit 2), and shows the API's field errors (exit 1)", async () => {
    const ladder = await cbm(["add", "--reservation", "cr-0000000000000a001", "--extend-by-days", "15", ...api]);
    expect(ladder.code).toBe(2);
    expect(ladder.stderr).toMatch(/ladder/);
    const noRes = await cbm(["add", ...api]);
    expect(noRes.code).toBe(2);
    const unknown = await cbm(["add", "--reservation", "cr-0000000000000a001", "--colour", "red", ...api]);
    expect(unknown.code).toBe(2);
    const apiSide = await cbm([
      "add",
      "--reservation",
      "cr-0000000000000a009",
      "--region",
      "us-east-1",
      "--lookahead-hours",
      "5000",
      ...api,
    ]);
    expect(apiSide.code).toBe(1);
    expect(apiSide.stderr).toMatch(/HTTP 400, VALIDATION_FAILED/);
    expect(apiSide.stderr).toMatch(/- policy\.lookaheadHours: /);
    expect(apiSide.stderr).not.toMatch(/\bat .*\.ts:\d+/);
  });

  it("updates only the given policy fields; 'none' clears a limit", async () => {
    const r = await cbm(["update", "add-test", "--max-fee", "500", "--pause", "--json", ...api]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json<Block>().policy).toMatchObject({ maxUpfrontFee: "500", enabled: false, extendByDays: 14, budget: "20000" });
    const cleared = await cbm(["update", "add-test", "--max-fee", "none", "--resume", "--json", ...api]);
    expect(cleared.json<Block>().policy.maxUpfrontFee).toBeUndefined();
    expect(cleared.json<Block>().policy.enabled).toBe(true);
    expect((await cbm(["update", "add-test", ...api])).code).toBe(2);
    expect((await cbm(["update", "missing-pk", "--budget", "1", ...api])).code).toBe(3);
  });
});

describe("cbm approve / deny / history / delete", () => {
  it("approves with a comment, recorded with the actor", async () => {
    const a = await cbm(["approve", "llm-pretrain", "--comment", "budget ok", "--actor", "alice", "--json", ...api]);
    expect(a.code, a.stderr).toBe(0);
    expect(a.json<Block>().approval).toMatchObject({ by: "alice", comment: "budget ok" });
  });

  it("denies with the actor from CBM_ACTOR", async () => {
    const d = await cbm(["deny", "next-week-run", "--comment", "too dear", "--json", ...api], { env: { CBM_ACTOR: "bob" } });
    expect(d.code, d.stderr).toBe(0);
    expect(d.json<Block>().denial).toMatchObject({ by: "bob" });
  });

  it("shows history newest first, limited with --limit, and as a table", async () => {
    await cbm(["approve", "llm-pretrain", "--actor", "alice", ...api]);
    const events = (await cbm(["history", "llm-pretrain", "--json", ...api])).json<HistoryEvent[]>();
    expect(events[0]).toMatchObject({ type: "approved", actor: "alice" });
    expect(events.at(-1)).toMatchObject({ type: "created" });
    expect((await cbm(["history", "llm-pretrain", "--limit", "2", "--json", ...api])).json<HistoryEvent[]>()).toHaveLength(2);
    await cbm(["deny", "next-week-run", ...api], { env: { CBM_ACTOR: "bob" } });
    expect((await cbm(["history", "next-week-run", ...api])).stdout).toMatch(/denied\s+bob/);
  });

  it("refuses to delete without a terminal or --yes (exit 2)", async () => {
    seedReservation("cr-0000000000000a002");
    expect((await cbm(["add", "--reservation", "cr-0000000000000a002", "--pk", "del-me", "--region", "us-east-1", ...api])).code).toBe(0);
    const refused = await cbm(["delete", "del-me", ...api]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--yes/);
  });

  it("keeps the block when the answer to the question is 'n'", async () => {
    const kept = await cbm(["delete", "del-me", ...api], { isTTY: true, input: "n\n" });
    expect(kept.code).toBe(0);
    expect((await cbm(["get", "del-me", ...api])).code).toBe(0);
  });

  it("deletes with --yes, then answers 3 for the block that is gone", async () => {
    const gone = await cbm(["delete", "del-me", "--yes", "--json", ...api]);
    expect(gone.code, gone.stderr).toBe(0);
    expect(gone.json()).toEqual({ deleted: "del-me" });
    expect((await cbm(["get", "del-me", ...api])).code).toBe(3);
    expect((await cbm(["delete", "del-me", "--yes", ...api])).code).toBe(3);
  });
});

describe("cbm import", () => {
  it("plans from DescribeCapacityReservations, asks unless --yes, registers only unmanaged owned blocks", async () => {
    const a = seedReservation("cr-0000000000000b001", { days: 9 });
    const b = seedReservation("cr-0000000000000b002", { days: 12, region: "us-west-2" });
    seedReservation("cr-0000000000000b003", { days: 9, ownerId: "999988887777" }); // shared in: not ours to extend
    const flags = ["--regions", "us-east-1,us-west-2", "--account-id", "123456789012", "--ec2-endpoint", local.emulator!.url, ...api];

    const refused = await cbm(["import", ...flags]);
    expect(refused.code).toBe(2);

    const dry = await cbm(["import", "--dry-run", "--json", ...flags]);
    expect(dry.code, dry.stderr).toBe(0);
    const plan = dry.json<{ toRegister: { capacityReservationId: string }[]; managed: { PK: string }[]; registered: unknown[] }>();
    expect(plan.toRegister.map((f) => f.capacityReservationId).sort()).toEqual(expect.arrayContaining([a, b]));
    expect(plan.toRegister.map((f) => f.capacityReservationId)).not.toContain("cr-0000000000000b003");
    expect(plan.toRegister.map((f) => f.capacityReservationId)).not.toContain("cr-0000000000000d005");
    expect(plan.managed.map((m) => m.PK)).toEqual(expect.arrayContaining(["llm-pretrain", "west-cluster"]));
    expect(plan.registered).toEqual([]);
    expect((await cbm(["get", a, ...api])).code).toBe(3);

    const no = await cbm(["import", ...flags, "--no-require-approval"], { isTTY: true, input: "n\n" });
    expect(no.code).toBe(0);
    expect(no.stdout).toMatch(/to register/);
    expect((await cbm(["get", a, ...api])).code).toBe(3);

    const done = await cbm(["import", "--yes", "--json", "--extend-by-days", "3", ...flags]);
    expect(done.code, done.stderr).toBe(0);
    const result = done.json<{ registered: { PK: string }[]; failed: unknown[] }>();
    expect(result.registered.map((r) => r.PK)).toEqual(expect.arrayContaining([a, b]));
    expect(result.failed).toEqual([]);
    const got = (await cbm(["get", b, "--json", ...api])).json<Block>();
    expect(got).toMatchObject({ region: "us-west-2", name: "seeded-b002" });
    expect(got.policy.extendByDays).toBe(3);

    const again = await cbm(["import", "--yes", ...flags]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/0 to register/);
  });
});

describe("cbm import in local mode", () => {
  it("finds local mode's emulator and account by itself when it talks to local mode's API", async () => {
    const id = seedReservation("cr-0000000000000b004", { days: 10 });

    const r = await cbm(["import", "--regions", "us-east-1", "--dry-run", "--json"], { cwd: root });

    expect(r.code, r.stderr).toBe(0);
    expect(r.json<{ toRegister: { capacityReservationId: string }[] }>().toRegister.map((f) => f.capacityReservationId)).toContain(id);
  });
});

describe("warnings and errors for scripts", () => {
  it("prints the API's warnings on stderr, keeping --json stdout one document", async () => {
    const id = seedReservation("cr-0000000000000b005");
    const r = await cbm(["add", "--reservation", id, "--region", "us-east-1", "--lookahead-hours", "6", "--json", ...api]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^warning: lookaheadHours 6 is under 13/m);
    expect(r.json<Block>().capacityReservationId).toBe(id);
  });

  it("answers an error with --json as one JSON document on stderr", async () => {
    const r = await cbm(["get", "no-such-block", "--json", ...api]);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe("");
    expect(JSON.parse(r.stderr)).toMatchObject({ error: { status: 404, code: "NOT_FOUND" } });
  });
});

describe("cbm outbox", () => {
  it("lists local mode's notifications, filtered by block", async () => {
    const r = await cbm(["outbox", "--pk", "llm-pretrain", "--json", ...api]);
    expect(r.code, r.stderr).toBe(0);
    const items = r.json<{ kind: string; pk: string }[]>();
    expect(items.length).toBeGreaterThan(0);
    expect(items.every((n) => n.pk === "llm-pretrain")).toBe(true);
    expect(items.map((n) => n.kind)).toContain("approval-request");
    const human = await cbm(["outbox", ...api]);
    expect(human.stdout).toMatch(/^WHEN \(UTC\)\s+KIND\s+PK\s+SUBJECT/);
  });
});

describe("finding the API, usage and errors", () => {
  it("finds local mode's URL and key files from a sub-folder, with no flags or env", async () => {
    const sub = join(root, "some", "sub", "dir");
    mkdirSync(sub, { recursive: true });
    const r = await cbm(["get", "llm-pretrain", "--json"], { cwd: sub });
    expect(r.code, r.stderr).toBe(0);
    expect(r.json<Block>().PK).toBe("llm-pretrain");
  });

  it("takes CBM_API_URL / CBM_API_KEY from the environment", async () => {
    const r = await cbm(["list", "--json"], { env: { CBM_API_URL: local.apiUrl, CBM_API_KEY: local.apiKey } });
    expect(r.code).toBe(0);
  });

  it("explains a refused key (exit 1), a missing API (exit 2) and an unreachable one (exit 1)", async () => {
    const bad = await cbm(["list", "--api-url", local.apiUrl, "--api-key", "wrong"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/Forbidden \(HTTP 403/);
    expect(bad.stderr).toMatch(/API key was refused/);
    const none = await cbm(["list"], { cwd: tmpdir() });
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/npm start/);
    const down = await cbm(["list", "--api-url", "http://127.0.0.1:9", "--api-key", "k"]);
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/Cannot reach the CBM API/);
  });

  it("answers usage errors with exit 2 and help with exit 0", async () => {
    expect((await cbm([])).code).toBe(2);
    expect((await cbm(["frobnicate"])).code).toBe(2);
    expect((await cbm(["get"])).code).toBe(2);
    expect((await cbm(["get", "a", "b"])).code).toBe(2);
    const help = await cbm(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Exit codes: 0 ok/);
    const cmdHelp = await cbm(["import", "--help"]);
    expect(cmdHelp.stdout).toMatch(/--ec2-endpoint/);
  });
});

describe("the built cbm", () => {
  const launcher = join(import.meta.dirname, "..", "scripts", "cbm.mjs");

  it("runs as plain JavaScript (no tsx) and answers an API command", async () => {
    const { execFile } = await import("node:child_process");
    const out = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, [launcher, "get", "llm-pretrain", "--json", ...api], (err, stdout, stderr) =>
        err ? reject(new Error(stderr)) : resolve(stdout),
      ),
    );
    expect(JSON.parse(out).PK).toBe("llm-pretrain");
  });

  it("exits quietly when its reader closes the pipe early", async () => {
    const { spawn } = await import("node:child_process");
    const child = spawn(process.execPath, [launcher, "--help"], { stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.destroy();
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect(stderr).not.toMatch(/EPIPE|Error/);
    expect(code).toBe(0);
  });
});
