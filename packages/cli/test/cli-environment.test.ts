import { mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Block } from "@cbm/core";
import { describe, expect, it } from "vitest";
import { cbm } from "./helpers";
import { local, root, api, seedReservation, useLocalCbm } from "./local-cbm";

// cbm around the API: import from EC2, the outbox, warnings and errors for scripts, finding the API, the built cbm.
useLocalCbm();

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

  it("explains a refused key (exit 1)", async () => {
    const bad = await cbm(["list", "--api-url", local.apiUrl, "--api-key", "wrong"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/Forbidden \(HTTP 403/);
    expect(bad.stderr).toMatch(/API key was refused/);
  });

  it("explains a missing API (exit 2), naming npm start", async () => {
    const none = await cbm(["list"], { cwd: tmpdir() });
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/npm start/);
  });

  it("explains an unreachable API (exit 1)", async () => {
    const down = await cbm(["list", "--api-url", "http://127.0.0.1:9", "--api-key", "k"]);
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/Cannot reach the CBM API/);
  });

  it("answers usage errors with exit 2", async () => {
    expect((await cbm([])).code).toBe(2);
    expect((await cbm(["frobnicate"])).code).toBe(2);
    expect((await cbm(["get"])).code).toBe(2);
    expect((await cbm(["get", "a", "b"])).code).toBe(2);
  });

  it("answers --help with exit 0, for the tool or one command", async () => {
    const help = await cbm(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Exit codes: 0 ok/);
    const cmdHelp = await cbm(["import", "--help"]);
    expect(cmdHelp.stdout).toMatch(/--ec2-endpoint/);
  });
});

describe("the built cbm", () => {
  const launcher = join(import.meta.dirname, "..", "scripts", "cbm.mjs");

  it("runs as plain JavaScript (no tsx), answering an API command", async () => {
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
