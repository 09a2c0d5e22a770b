import { spawn } from "node:child_process";
import { request } from "node:http";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Block, HistoryEvent, Notification } from "@cbm/core";
// Relative on purpose: @cbm/cli depends on @cbm/local (its tests start local mode), not the other way round.
import { main as cbmMain } from "../../cli/src/main";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalHandle } from "../src/local-options";
import { startLocal } from "../src/start-local";
import { call } from "./support/local-cbm";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

const REPO = join(import.meta.dirname, "..", "..", "..");
const D001 = "cr-0000000000000d001";
const D002 = "cr-0000000000000d002";

let local: LocalHandle;
let root: string;

const http = <T = unknown>(method: string, path: string, body?: unknown) =>
  call<T>(local, method, path, { body, headers: { "x-cbm-actor": "curl-user" } });

/** A request whose path is sent exactly as written: fetch and curl would resolve `.`, `..` and `//` first. */
function rawRequest(method: string, path: string, body?: unknown): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(local.apiUrl);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: hostname, port, path, method, headers: { "x-api-key": local.apiKey, "content-type": "application/json" } },
      (res) => {
        let text = "";
        res.on("data", (c: Buffer) => (text += c.toString()));
        res.on("end", () => resolve({ status: res.statusCode!, body: text }));
      },
    );
    req.on("error", reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

/** The real `cbm` as a user runs it: a separate process through tsx. */
function spawnCbm(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "packages/cli/src/bin.ts", ...args], {
      cwd: REPO,
      env: { ...process.env, CBM_API_URL: local.apiUrl, CBM_API_KEY: local.apiKey, CBM_ACTOR: "alice" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** In-process `cbm`, for the quick reads. */
async function cbm(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await cbmMain([...args, "--api-url", local.apiUrl, "--api-key", local.apiKey], {
    stdout: { write: (s: string) => ((stdout += s), true) },
    stderr: { write: (s: string) => ((stderr += s), true) },
    stdin: process.stdin,
    env: {},
    cwd: REPO,
    isTTY: false,
  });
  return { code, stdout, stderr };
}

const purchasesOf = (id: string) =>
  local.emulator!.control.ledger().filter((e) => e.capacityReservationId === id && e.action === "PurchaseCapacityBlockExtension");
const block = async (pk: string) => (await http<Block>("GET", `/${pk}`)).body;
const outbox = async (pk: string) => (await http<Notification[]>("GET", `/_local/outbox?pk=${pk}`)).body;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "cbm-e2e-"));
  // Frozen virtual clock and no tick loop: the test moves time and ticks itself, so nothing depends on wall time.
  local = await startLocal({ port: 0, clockRate: 0, tickSeconds: 0, stateDir: join(root, ".cbm", "local"), print: () => undefined });
});

afterAll(async () => {
  await local?.stop();
  rmSync(root, { recursive: true, force: true });
});

describe("local mode end to end", () => {
  it("keeps the API key in a file only the user can read", () => {
    expect(local.apiKey).toMatch(/^[A-Za-z0-9]{40}$/);
    expect(statSync(local.keyFile).mode & 0o777).toBe(0o600);
  });

  it("publishes the URL for the CLI", () => {
    expect(statSync(join(local.stateDir, "api-url")).isFile()).toBe(true);
  });

  it("runs a full approved extension cycle over the CLI plus raw HTTP: one purchase per window", async () => {
    const control = local.emulator!.control;
    const e1 = control.reservation(D001)!.endDate;

    // Window 1 opens: one approval request, and no purchase without approval, however often the scheduler runs.
    await local.tick();
    await local.tick();
    let b = await block("llm-pretrain");
    expect(b.status).toBe("awaiting-approval");
    expect(b.endDate).toBe(e1);
    const requests1 = (await outbox("llm-pretrain")).filter((n) => n.kind === "approval-request");
    expect(requests1).toHaveLength(1);
    expect(requests1[0]!.body).toMatch(/cbm approve llm-pretrain/);
    expect(purchasesOf(D001)).toHaveLength(0);

    const listed = await cbm(["list", "--json"]);
    expect(listed.code).toBe(0);
    expect((JSON.parse(listed.stdout) as Block[])[0]!.PK).toBe("llm-pretrain");

    // Approved by a person through the real CLI process.
    const approved = await spawnCbm(["approve", "llm-pretrain", "--comment", "go ahead", "--json"]);
    expect(approved.code, approved.stderr).toBe(0);
    expect((JSON.parse(approved.stdout) as Block).approval).toMatchObject({ by: "alice", window: e1 });

    // Purchase; ticks while the payment is pending buy nothing more.
    await local.tick();
    expect(purchasesOf(D001)).toHaveLength(1);
    expect((await block("llm-pretrain")).status).toBe("payment-pending");
    await local.tick();
    await local.tick();
    expect(purchasesOf(D001)).toHaveLength(1);
    expect((await block("llm-pretrain")).endDate).toBe(e1); // moves only once EC2 says payment-succeeded

    // Payment clears (300 s in the emulator); the end date moves by a day and window 2 opens at once (72 h lookahead).
    control.advance({ minutes: 10 });
    await local.tick();
    b = await block("llm-pretrain");
    const e2 = control.reservation(D001)!.endDate;
    expect(Date.parse(e2) - Date.parse(e1)).toBe(24 * 3600_000);
    expect(b.endDate).toBe(e2);
    expect(b.status).toBe("awaiting-approval");
    expect((await outbox("llm-pretrain")).filter((n) => n.kind === "approval-request")).toHaveLength(2);

    // Approved over raw HTTP, as the README's curl does; three ticks race for the purchase.
    const patched = await http<Block>("PATCH", "/llm-pretrain");
    expect(patched.status).toBe(200);
    expect(patched.body.approval).toMatchObject({ by: "curl-user", window: e2 });
    const viaHttp = fetch(`${local.apiUrl}/_local/tick`, { method: "POST", headers: { "x-api-key": local.apiKey } });
    await Promise.all([local.tick(), local.tick(), viaHttp]);
    await local.tick();
    expect(purchasesOf(D001)).toHaveLength(2);
    control.advance({ minutes: 10 });
    await local.tick();
    const e3 = control.reservation(D001)!.endDate;
    expect(Date.parse(e3) - Date.parse(e2)).toBe(24 * 3600_000);
    expect((await block("llm-pretrain")).endDate).toBe(e3);

    // The ledger: exactly one purchase per window, each from the window's end date.
    const extensions = control.extensions(D001);
    expect(extensions.map((x) => x.capacityBlockExtensionStartDate).sort()).toEqual([e1, e2].sort());
    expect(extensions.every((x) => x.capacityBlockExtensionStatus === "payment-succeeded")).toBe(true);
    expect(purchasesOf(D001)).toHaveLength(2);

    // The block that needs no approval bought on its own, once per window (its 14-day lookahead keeps each open).
    const d002Windows = control.extensions(D002).map((x) => x.capacityBlockExtensionStartDate);
    expect(d002Windows.length).toBeGreaterThanOrEqual(1);
    expect(new Set(d002Windows).size).toBe(d002Windows.length);
    expect(purchasesOf(D002)).toHaveLength(d002Windows.length);

    const history = await cbm(["history", "llm-pretrain", "--limit", "50", "--json"]);
    const types = (JSON.parse(history.stdout) as HistoryEvent[]).map((e) => e.type).reverse();
    expect(types.filter((t) => t === "purchased")).toHaveLength(2);
    expect(types.filter((t) => t === "payment-succeeded")).toHaveLength(2);
    expect(types.filter((t) => t === "approved")).toHaveLength(2);
    expect(types.indexOf("approved")).toBeLessThan(types.indexOf("purchased"));
  });

  it("maps paths as API Gateway does: `//x/PK`, `.` and `..` never reach another block", async () => {
    const before = await block("west-cluster");
    const trn2 = await block("trn2-experiments");
    const deleted = await rawRequest("DELETE", "/x/../west-cluster");
    const dotted = await rawRequest("DELETE", "/./west-cluster");
    const put = await rawRequest("PUT", "//x/trn2-experiments", { name: "renamed" });
    expect([deleted.status, dotted.status, put.status]).toEqual([404, 404, 404]);
    expect(JSON.parse(put.body)).toMatchObject({ code: "NOT_FOUND" });
    expect(await block("west-cluster")).toEqual(before);
    expect(await block("trn2-experiments")).toEqual(trn2);
  });

  it("refuses _local as a block's PK (400, field PK): /_local/… is local mode's own", async () => {
    const r = await http<{ code: string; issues: { field: string }[] }>("POST", "/", {
      PK: "_local",
      capacityReservationId: "cr-0000000000000e123",
      region: "us-east-1",
    });
    expect(r.status).toBe(400);
    expect(r.body.code).toBe("VALIDATION_FAILED");
    expect(r.body.issues.map((i) => i.field)).toEqual(["PK"]);
  });

  it("reports its state on /_local/status behind the API key", async () => {
    const unauth = await fetch(`${local.apiUrl}/_local/status`);
    expect(unauth.status).toBe(403);
    const s = await http<{ mode: string; accountId: string; ticks: number; dynamodbPid: number; lastTick: { due: number } }>(
      "GET",
      "/_local/status",
    );
    expect(s.body).toMatchObject({ mode: "local", accountId: "123456789012" });
    expect(s.body.ticks).toBeGreaterThan(5);
    expect(s.body.dynamodbPid).toBe(local.dynamo!.pid);
  });

  it("stop() finishes leaving nothing behind: the port freed, no java process", async () => {
    const pid = local.dynamo!.pid!;
    expect(() => process.kill(pid, 0)).not.toThrow();
    await local.stop();
    expect(() => process.kill(pid, 0)).toThrow(/ESRCH/);
    await expect(fetch(`${local.apiUrl}/`, { signal: AbortSignal.timeout(2000) })).rejects.toThrow();
    expect(() => statSync(join(local.stateDir, "api-url"))).toThrow();
  });
});
