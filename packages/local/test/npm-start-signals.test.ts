import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "../src/dynamo-local";
import { portIsFree, processGone as gone, removeTempDirs, tempDir } from "./support/processes";

// `npm start` as a user or a supervisor runs it: npm, its shell, then node (scripts/start.mjs), then DynamoDB
// Local's java. A supervisor signals the PID it started, npm's; a user copies the PID the banner prints, node's.
const ROOT = join(import.meta.dirname, "..", "..", "..");
const STOP_WITHIN_MS = 10_000;
const onPosix = process.platform !== "win32";

const started: { npm: ChildProcess; pids: number[] }[] = [];

afterAll(() => {
  // A failed test leaves node and java running: end them by PID, node first so that java sees its parent go; then
  // npm's own group (npm, its shell, and node if the banner never came), which is the test's and nobody else's.
  for (const run of started) {
    for (const pid of run.pids) if (!gone(pid)) process.kill(pid, "SIGKILL");
    try {
      process.kill(-run.npm.pid!, "SIGKILL");
    } catch {
      // The group has ended: the test passed.
    }
  }
  removeTempDirs();
});

interface NpmStart {
  npm: ChildProcess;
  state: string;
  port: number;
  output: () => string;
}

/**
 * `npm start -- --port N` in its own process group, as a terminal's job is, so that a Ctrl-C can be sent to the
 * whole group. The install is skipped: the workspace is installed, and reinstalling under running tests could
 * disturb them.
 */
async function npmStart(): Promise<NpmStart> {
  const state = tempDir("cbm-npm-");
  const port = await freePort();
  const npm = spawn("npm", ["start", "--", "--port", String(port), "--tick-seconds", "0"], {
    cwd: ROOT,
    env: { ...process.env, CBM_SKIP_INSTALL: "1", CBM_LOCAL_DIR: state },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let out = "";
  // node keeps writing to these pipes after npm has gone; the streams stay open until the last writer closes them.
  npm.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  npm.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  return { npm, state, port, output: () => out };
}

async function until<T>(what: string, ms: number, probe: () => T | undefined | Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

interface Running {
  run: NpmStart;
  /** The PID the banner prints: node running local mode. */
  node: number;
  java: number;
}

/** Starts `npm start` and waits for its banner; returns the PIDs of node (from the banner) and of DynamoDB Local. */
async function running(): Promise<Running> {
  const run = await npmStart();
  const record = { npm: run.npm, pids: [] as number[] };
  started.push(record);
  const node = await until("the banner", 90_000, () => {
    const m = /\(or kill (\d+)\) stops everything\./.exec(run.output());
    if (m) return Number(m[1]);
    if (run.npm.exitCode !== null) throw new Error(`npm exited before the banner:\n${run.output()}`);
    return undefined;
  });
  const url = readFileSync(join(run.state, "api-url"), "utf8").trim();
  const key = readFileSync(join(run.state, "api-key"), "utf8").trim();
  const status = (await (await fetch(`${url}/_local/status`, { headers: { "x-api-key": key } })).json()) as { dynamodbPid: number };
  record.pids.push(node, status.dynamodbPid);
  expect(node).not.toBe(run.npm.pid);
  return { run, node, java: status.dynamodbPid };
}

/** What is left STOP_WITHIN_MS after the signal: which of node and java still run, and whether the port is held. */
async function leftAfterStop(r: Running): Promise<{ node: boolean; java: boolean; portHeld: boolean }> {
  const deadline = Date.now() + STOP_WITHIN_MS;
  while (Date.now() < deadline && !(gone(r.node) && gone(r.java))) await new Promise((res) => setTimeout(res, 100));
  return { node: !gone(r.node), java: !gone(r.java), portHeld: !(await portIsFree(r.run.port)) };
}

const nothingLeft = { node: false, java: false, portHeld: false };

describe.skipIf(!onPosix)("npm start stops within 10 s, however it is signalled", () => {
  it.each(["SIGTERM", "SIGHUP"] as const)("%s to npm's PID stops node, DynamoDB Local and frees the port", async (signal) => {
    const r = await running();

    process.kill(r.run.npm.pid!, signal);

    expect(await leftAfterStop(r)).toEqual(nothingLeft);
    // A clean stop, not a crash: the URL file is removed only by stop().
    expect(r.run.output()).toContain("Stopped.");
    expect(existsSync(join(r.run.state, "api-url"))).toBe(false);
  });

  it.each(["SIGTERM", "SIGHUP"] as const)("%s to the PID the banner prints stops everything cleanly", async (signal) => {
    const r = await running();

    process.kill(r.node, signal);

    expect(await leftAfterStop(r)).toEqual(nothingLeft);
    expect(r.run.output()).toContain(`${signal}: stopping`);
    expect(r.run.output()).toContain("Stopped.");
    expect(existsSync(join(r.run.state, "api-url"))).toBe(false);
  });

  it("Ctrl-C (SIGINT to the whole foreground group) still stops everything, npm included", async () => {
    const r = await running();
    const npmExited = new Promise<void>((resolve) => r.run.npm.once("exit", () => resolve()));

    process.kill(-r.run.npm.pid!, "SIGINT");

    expect(await leftAfterStop(r)).toEqual(nothingLeft);
    expect(r.run.output()).toContain("SIGINT: stopping");
    expect(r.run.output()).toContain("Stopped.");
    await npmExited;
  });
});
