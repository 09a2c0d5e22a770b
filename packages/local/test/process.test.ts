import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "../src/dynamo-local";

const PKG = join(import.meta.dirname, "..");
const dirs: string[] = [];
const children: ChildProcess[] = [];

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
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** `npm start`'s process: `tsx src/bin.ts` in packages/local, as one node process so signals reach it directly. */
function startBin(args: string[], env: Record<string, string>): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ["--import", "tsx", "src/bin.ts", ...args], {
    cwd: PKG,
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let out = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, output: () => out, exited };
}

async function waitFor(cond: () => boolean, ms: number, what: string, output: () => string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; output:\n${output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once("error", () => resolve(false));
    srv.listen(port, "127.0.0.1", () => srv.close(() => resolve(true)));
  });
}

describe("npm start as a process", () => {
  it("prints the key, URL and commands, runs ticks, and on SIGTERM stops cleanly: exit 0, port freed, no java left", async () => {
    const state = mkdtempSync(join(tmpdir(), "cbm-proc-"));
    dirs.push(state);
    const port = await freePort();
    const run = startBin(["--port", String(port), "--clock-rate", "60"], { CBM_LOCAL_DIR: state });
    await waitFor(() => run.output().includes("Ctrl-C stops everything."), 90_000, "the banner", run.output);

    const key = readFileSync(join(state, "api-key"), "utf8").trim();
    const url = readFileSync(join(state, "api-url"), "utf8").trim();
    expect(url).toBe(`http://127.0.0.1:${port}`);
    const out = run.output();
    expect(out).toContain(`export API_URL=${url} API_KEY=${key}`);
    expect(out).toContain('curl -X PATCH "$API_URL/llm-pretrain"');
    expect(out).toContain("npm run cbm -- list");
    expect(out).toContain("scheduler every 1 s");

    // The scheduler runs on its own (every second at ×60): the approval request is printed.
    await waitFor(() => run.output().includes("=== CBM notification [approval-request]"), 30_000, "the first approval request", run.output);
    const readStatus = async () => (await (await fetch(`${url}/_local/status`, { headers: { "x-api-key": key } })).json()) as { dynamodbPid: number; ticks: number };
    let status = await readStatus();
    for (let i = 0; i < 50 && status.ticks < 2; i++) {
      await new Promise((r) => setTimeout(r, 200));
      status = await readStatus();
    }
    expect(status.ticks).toBeGreaterThanOrEqual(2);
    const javaPid = status.dynamodbPid;
    expect(() => process.kill(javaPid, 0)).not.toThrow();

    run.child.kill("SIGTERM");
    expect(await run.exited).toBe(0);
    expect(run.output()).toContain("Stopped.");
    expect(() => process.kill(javaPid, 0)).toThrow(/ESRCH/);
    expect(await portIsFree(port)).toBe(true);
    expect(existsSync(join(state, "api-url"))).toBe(false);
    expect(readFileSync(join(state, "api-key"), "utf8").trim()).toBe(key);
  });

  it("without Java: says how to install it, exit 1, no stack trace", async () => {
    const state = mkdtempSync(join(tmpdir(), "cbm-nojava-"));
    dirs.push(state);
    const run = startBin(["--port", "0"], { CBM_LOCAL_DIR: state, PATH: "/nonexistent" });
    expect(await run.exited).toBe(1);
    const out = run.output();
    expect(out).toContain("DynamoDB Local needs Java 17 or newer");
    expect(out).toContain("apt-get install");
    expect(out).not.toMatch(/^\s+at /m);
  });

  it("--aws needs the owning account (exit 2 before touching AWS)", async () => {
    const run = startBin(["--aws", "--regions", "us-east-1"], { CBM_LOCAL_DIR: join(tmpdir(), "cbm-unused"), CBM_ACCOUNT_ID: "" });
    expect(await run.exited).toBe(2);
    expect(run.output()).toMatch(/--aws needs --account-id/);
  });

  it("rejects unknown flags with a usage message (exit 2)", async () => {
    const run = startBin(["--colour", "red"], { CBM_LOCAL_DIR: join(tmpdir(), "cbm-unused") });
    expect(await run.exited).toBe(2);
    expect(run.output()).toMatch(/Unknown option '--colour'/);
    expect(run.output()).toContain("--clock-rate N");
  });
});
