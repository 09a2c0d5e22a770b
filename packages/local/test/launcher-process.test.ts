import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { freePort } from "../src/dynamo-local";
import { boundSockets, LOOPBACK, processTree } from "./listening-sockets";
import { api, printed, startCbm, stopEverything, type Run, type Status } from "./support/launcher";
import { portIsFree, processGone, tempDir } from "./support/processes";

// `npm start`'s process from banner to stop: what it prints, where it listens, and how a signal ends it.
afterAll(stopEverything);

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

  it("says what it is doing while DynamoDB Local starts, then prints the key, URL, PID, commands", () => {
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
