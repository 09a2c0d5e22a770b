import { spawn, type ChildProcess } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { freePort } from "../src/dynamo-local";
import { boundSockets, LOOPBACK, processTree } from "./listening-sockets";

const LAUNCHER = join(import.meta.dirname, "..", "scripts", "start.mjs");
const dirs: string[] = [];
const children: ChildProcess[] = [];
/** A DynamoDB Local this file froze on purpose; killed at the end should a failed test leave it behind. */
const frozen: number[] = [];

afterAll(async () => {
  // SIGTERM first: a SIGKILLed parent cannot stop its DynamoDB Local, which would outlive the test.
  await Promise.all(
    children
      .filter((c) => c.exitCode === null && c.signalCode === null)
      .map(
        (c) =>
          new Promise<void>((resolve) => {
            const timer = setTimeout(() => c.kill("SIGKILL"), 15_000);
            c.once("exit", () => (clearTimeout(timer), resolve()));
            c.kill("SIGTERM");
          }),
      ),
  );
  for (const pid of frozen.filter((p) => !processGone(p))) process.kill(pid, "SIGKILL");
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tempDir(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
}

interface Run {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/**
 * The process `npm start` starts: scripts/start.mjs, which runs local mode in itself (the install is skipped: the
 * workspace is installed, and reinstalling under running tests could disturb them).
 */
function startCbm(args: string[], env: Record<string, string>): Run {
  const child = spawn(process.execPath, [LAUNCHER, ...args], {
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true", CBM_SKIP_INSTALL: "1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let out = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, output: () => out, exited };
}

/** Resolves once `text` appears in the output (a data event), or fails with the output so far. */
function printed(run: Run, text: string, ms = 90_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (!run.output().includes(text)) return;
      cleanup();
      resolve();
    };
    const timer = setTimeout(() => (cleanup(), reject(new Error(`timed out waiting for '${text}'; output:\n${run.output()}`))), ms);
    const exit = () => (cleanup(), reject(new Error(`exited before printing '${text}'; output:\n${run.output()}`)));
    const cleanup = () => {
      clearTimeout(timer);
      run.child.stdout!.off("data", check);
      run.child.stderr!.off("data", check);
      run.child.off("exit", exit);
    };
    run.child.stdout!.on("data", check);
    run.child.stderr!.on("data", check);
    run.child.once("exit", exit);
    check();
  });
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once("error", () => resolve(false));
    srv.listen(port, "127.0.0.1", () => srv.close(() => resolve(true)));
  });
}

/** Gone, or a zombie: an orphan's new parent may never collect it, but it runs no more and holds no port. */
function processGone(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z");
  } catch {
    return true;
  }
}

interface Status {
  now: string;
  ticks: number;
  dynamodbPid: number;
  ec2Endpoint: string;
}

async function api<T>(state: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const url = readFileSync(join(state, "api-url"), "utf8").trim();
  const key = readFileSync(join(state, "api-key"), "utf8").trim();
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { "x-api-key": key, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as T };
}

async function emulator<T>(endpoint: string, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${endpoint}/_emulator${path}`, { method, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return (await res.json()) as T;
}

const onLinux = process.platform === "linux";

describe("npm start as a process", () => {
  let run: Run;
  let state: string;
  let port: number;
  let status: Status;

  beforeAll(async () => {
    state = tempDir("cbm-proc-");
    port = await freePort();
    run = startCbm(["--port", String(port), "--clock-rate", "60"], { CBM_LOCAL_DIR: state });
    await printed(run, "stops everything.");
    status = (await api<Status>(state, "GET", "/_local/status")).body;
  });

  it("says what it is doing while DynamoDB Local starts, then prints the key, URL, PID and commands", () => {
    const out = run.output();
    const key = readFileSync(join(state, "api-key"), "utf8").trim();
    const url = readFileSync(join(state, "api-url"), "utf8").trim();
    expect(url).toBe(`http://127.0.0.1:${port}`);
    const steps = [
      "Not installing dependencies",
      "Loading CBM…",
      "Starting DynamoDB Local (Java) on 127.0.0.1",
      "DynamoDB Local is ready (",
      "EC2 emulator ready at",
      "API URL:",
    ];
    const at = steps.map((s) => out.indexOf(s));
    expect(
      at.every((i) => i >= 0),
      out,
    ).toBe(true);
    expect(at).toEqual([...at].sort((a, b) => a - b));
    expect(out).toContain(`export API_URL=${url} API_KEY=${key}`);
    expect(out).toContain('curl -X PATCH "$API_URL/llm-pretrain"');
    expect(out).toContain("npm run cbm -- list");
    expect(out).toContain("scheduler every 1 s");
    expect(out).toContain(`Ctrl-C (or kill ${run.child.pid}) stops everything.`);
  });

  it.skipIf(!onLinux)("listens on loopback only: every socket of its process tree, DynamoDB Local's included", () => {
    const tree = processTree(run.child.pid!);
    expect(tree).toContain(status.dynamodbPid);
    const sockets = boundSockets(tree);
    const ports = sockets.map((s) => s.port);
    expect(ports).toEqual(expect.arrayContaining([port, Number(new URL(status.ec2Endpoint).port)]));
    expect(sockets.filter((s) => s.pid === status.dynamodbPid).length).toBeGreaterThan(0);
    expect(sockets.filter((s) => !LOOPBACK.has(s.address))).toEqual([]);
  });

  it("runs the scheduler on its own: the approval request is printed", async () => {
    await printed(run, "=== CBM notification [approval-request]", 30_000);
    await vi.waitFor(async () => expect((await api<Status>(state, "GET", "/_local/status")).body.ticks).toBeGreaterThanOrEqual(2), {
      timeout: 30_000,
      interval: 200,
    });
  });

  it("on SIGTERM stops everything: exit 0, java gone, port freed, URL file removed, key kept", async () => {
    const key = readFileSync(join(state, "api-key"), "utf8").trim();
    expect(processGone(status.dynamodbPid)).toBe(false);
    run.child.kill("SIGTERM");
    expect(await run.exited).toBe(0);
    expect(run.output()).toContain("Stopped.");
    expect(processGone(status.dynamodbPid)).toBe(true);
    expect(await portIsFree(port)).toBe(true);
    expect(existsSync(join(state, "api-url"))).toBe(false);
    expect(readFileSync(join(state, "api-key"), "utf8").trim()).toBe(key);
  });
});

describe("stopping by signal or crash", () => {
  it("on SIGINT stops everything too: exit 0, java gone, port freed", async () => {
    const state = tempDir("cbm-int-");
    const port = await freePort();
    const run = startCbm(["--port", String(port), "--tick-seconds", "0"], { CBM_LOCAL_DIR: state });
    await printed(run, "stops everything.");
    const { dynamodbPid } = (await api<Status>(state, "GET", "/_local/status")).body;
    run.child.kill("SIGINT");
    expect(await run.exited).toBe(0);
    expect(processGone(dynamodbPid)).toBe(true);
    expect(await portIsFree(port)).toBe(true);
  });

  it("killed with SIGKILL, it leaves no DynamoDB Local behind: java exits when its parent's pipe closes", async () => {
    const state = tempDir("cbm-kill-");
    const run = startCbm(["--port", "0", "--tick-seconds", "0"], { CBM_LOCAL_DIR: state });
    await printed(run, "stops everything.");
    const { dynamodbPid } = (await api<Status>(state, "GET", "/_local/status")).body;
    run.child.kill("SIGKILL");
    await run.exited;
    // Not our child any more once orphaned, so no exit event reaches us: poll, bounded.
    await vi.waitFor(() => expect(processGone(dynamodbPid)).toBe(true), { timeout: 30_000, interval: 100 });
  });
});

describe("--data-dir across a crash mid-purchase", () => {
  const D002 = "cr-0000000000000d002";
  let data: string;
  let state: string;
  let first: Run;
  let firstStatus: Status;
  let second: Run;
  let secondStatus: Status;
  const args = () => ["--port", "0", "--clock-rate", "0", "--tick-seconds", "0", "--data-dir", data];

  beforeAll(async () => {
    data = tempDir("cbm-data-");
    state = tempDir("cbm-data-state-");
    first = startCbm(args(), { CBM_LOCAL_DIR: state });
    await printed(first, "stops everything.");
    firstStatus = (await api<Status>(state, "GET", "/_local/status")).body;
  });

  it("a second start on the same --data-dir refuses and names the PID that holds it", async () => {
    const other = startCbm(args(), { CBM_LOCAL_DIR: tempDir("cbm-data-other-") });
    expect(await other.exited).toBe(1);
    expect(other.output()).toContain(`--data-dir ${data} is in use by another CBM local mode, PID ${first.child.pid}`);
  });

  it("has the purchase on disk once the emulator took it, although the answer is still held when it is killed", async () => {
    // finetune-eval buys without approval on the first tick; the emulator takes the order, then holds the answer.
    await emulator(firstStatus.ec2Endpoint, "POST", "/faults", {
      action: "PurchaseCapacityBlockExtension",
      kind: "latency",
      ms: 600_000,
      effect: "after",
      match: { capacityReservationId: D002 },
    });
    void api(state, "POST", "/_local/tick").catch(() => undefined); // never answered: the process dies first
    const bought = () => emulator<{ capacityReservationId: string }[]>(firstStatus.ec2Endpoint, "GET", "/ledger");
    await vi.waitFor(async () => expect((await bought()).map((e) => e.capacityReservationId)).toContain(D002), {
      timeout: 60_000,
      interval: 100,
    });

    // The crash: java is frozen first so that it stays behind, as a java that missed its parent's end would.
    frozen.push(firstStatus.dynamodbPid);
    process.kill(firstStatus.dynamodbPid, "SIGSTOP");
    first.child.kill("SIGKILL");
    await first.exited;
    const saved = JSON.parse(readFileSync(join(data, "ec2-emulator.json"), "utf8")) as {
      store: { ledger: { capacityReservationId: string }[] };
    };
    expect(saved.store.ledger.filter((e) => e.capacityReservationId === D002)).toHaveLength(1);
    expect(processGone(firstStatus.dynamodbPid)).toBe(false);
  });

  it("the next start takes over the stale lock and stops the DynamoDB Local left behind", async () => {
    second = startCbm(args(), { CBM_LOCAL_DIR: state });
    await printed(second, "stops everything.");
    secondStatus = (await api<Status>(state, "GET", "/_local/status")).body;
    const out = second.output();
    expect(out).toContain(`Took over ${data} from PID ${first.child.pid}`);
    expect(out).toContain(`Stopped a DynamoDB Local left over from an earlier run (PID ${firstStatus.dynamodbPid})`);
    expect(out).toContain("EC2 emulator restored from");
    expect(processGone(firstStatus.dynamodbPid)).toBe(true);
  });

  it("keeps the virtual clock: it never goes backwards across the restart", () => {
    expect(Date.parse(secondStatus.now)).toBeGreaterThanOrEqual(Date.parse(firstStatus.now));
  });

  it("settles the interrupted purchase as bought, from EC2's extension history, and never buys a window twice", async () => {
    const ledger = () => emulator<{ capacityReservationId: string; offeringId: string }[]>(secondStatus.ec2Endpoint, "GET", "/ledger");
    const before = (await ledger()).filter((e) => e.capacityReservationId === D002);
    expect(before).toHaveLength(1);
    for (let i = 0; i < 4; i++) {
      await api(state, "POST", "/_local/tick");
      await emulator(secondStatus.ec2Endpoint, "POST", "/clock/advance", { minutes: 10 });
    }
    const history = (
      await api<{ type: string; data?: { outcome?: string; intentId?: string } }[]>(state, "GET", "/finetune-eval/history?limit=100")
    ).body;
    const settled = history.filter((e) => e.type === "intent-settled");
    expect(settled.map((e) => e.data?.outcome)).toContain("purchased");
    expect(settled.map((e) => e.data?.outcome)).not.toContain("not-purchased");
    const after = (await ledger()).filter((e) => e.capacityReservationId === D002);
    expect(after[0]).toEqual(before[0]);
    const extensions = await emulator<{ capacityBlockExtensionStartDate: string }[]>(
      secondStatus.ec2Endpoint,
      "GET",
      `/extensions?capacityReservationId=${D002}`,
    );
    const windows = extensions.map((x) => x.capacityBlockExtensionStartDate);
    expect(new Set(windows).size).toBe(windows.length);
    expect(after).toHaveLength(windows.length);
    second.child.kill("SIGTERM");
    expect(await second.exited).toBe(0);
    expect(existsSync(join(data, "cbm-local.lock"))).toBe(false);
  });
});

describe("refusals before anything starts", () => {
  it("without Java: says how to install it, exit 1, no stack trace", async () => {
    const run = startCbm(["--port", "0"], { CBM_LOCAL_DIR: tempDir("cbm-nojava-"), PATH: "/nonexistent" });
    expect(await run.exited).toBe(1);
    const out = run.output();
    expect(out).toContain("DynamoDB Local needs Java 17 or newer");
    expect(out).toContain("apt-get install");
    expect(out).not.toMatch(/^\s+at /m);
  });

  it.skipIf(process.platform === "win32")(
    "with a Java that cannot run the loopback launcher (no jdk.compiler): says why, exit 1",
    async () => {
      const bin = tempDir("cbm-fakejava-");
      writeFileSync(join(bin, "java"), '#!/bin/sh\necho "java.base@17.0.1"\necho "java.logging@17.0.1"\n');
      chmodSync(join(bin, "java"), 0o755);
      const run = startCbm(["--port", "0"], { CBM_LOCAL_DIR: tempDir("cbm-nocompiler-"), PATH: `${bin}:${process.env.PATH}` });
      expect(await run.exited).toBe(1);
      expect(run.output()).toContain("needs Java's jdk.compiler module");
      expect(run.output()).toContain("17.0.1");
    },
  );

  it("--aws needs the owning account (exit 2 before touching AWS)", async () => {
    const run = startCbm(["--aws", "--regions", "us-east-1"], { CBM_LOCAL_DIR: join(tmpdir(), "cbm-unused"), CBM_ACCOUNT_ID: "" });
    expect(await run.exited).toBe(2);
    expect(run.output()).toMatch(/--aws needs --account-id/);
  });

  it("rejects unknown flags with a usage message (exit 2)", async () => {
    const run = startCbm(["--colour", "red"], { CBM_LOCAL_DIR: join(tmpdir(), "cbm-unused") });
    expect(await run.exited).toBe(2);
    expect(run.output()).toMatch(/Unknown option '--colour'/);
    expect(run.output()).toContain("--clock-rate N");
  });
});
