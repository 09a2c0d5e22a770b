import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { join } from "node:path";
import autocannon from "autocannon";
import { flag } from "./support/world";
import { fmt, printTable } from "./table";

/*
 * The API under load on the local server (local mode's HTTP adapter + the API's Middy handler + DynamoDB Local, in
 * a child process), with autocannon in this process: 50 connections for `--duration` seconds (default 20) on
 * GET /{PK}, a page of GET / (limit 50) and POST / with a unique PK per request.
 *
 * Before measuring, `--warmup` seconds (default 10) of the same requests are sent and discarded: the first seconds
 * of a fresh JVM (DynamoDB Local) and of Node's JIT are compile time, not the steady state a running server is in.
 * Each row also gives the CPU time per request of the API process and of DynamoDB Local (Linux /proc), which is
 * what bounds throughput, and so latency at a fixed number of connections, on a small machine.
 */

interface Server {
  apiUrl: string;
  apiKey: string;
  pids: { api: number; dynamo?: number };
  stop(): Promise<void>;
}

async function startServer(): Promise<Server> {
  const child = spawn(process.execPath, ["--import", "tsx", join(import.meta.dirname, "support/api-server.ts")], {
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
  });
  const line = await new Promise<string>((resolve, reject) => {
    const rl = createInterface({ input: child.stdout! });
    rl.once("line", resolve);
    child.once("exit", (code) => reject(new Error(`API server exited with ${code}`)));
  });
  const { apiUrl, apiKey, pid, dynamoPid } = JSON.parse(line) as { apiUrl: string; apiKey: string; pid: number; dynamoPid?: number };
  return {
    apiUrl,
    apiKey,
    pids: { api: pid, ...(dynamoPid ? { dynamo: dynamoPid } : {}) },
    stop: () =>
      new Promise<void>((resolve) => {
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

/** CPU milliseconds (user + system) a process has used so far; undefined where /proc is not available. */
function cpuMs(pid: number | undefined): number | undefined {
  const file = `/proc/${pid}/stat`;
  if (pid === undefined || !existsSync(file)) return undefined;
  // Fields after the command name: utime and stime are the 12th and 13th, in clock ticks (100 per second on Linux).
  const fields = readFileSync(file, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

const crFor = (n: number) => `cr-${n.toString(16).padStart(17, "0")}`;

interface Case {
  name: string;
  target: string;
  connections: number;
  /** The row the p99 target applies to. */
  p99Target?: number;
  opts: autocannon.Request;
}

export async function benchApiLoad(durationS = flag("duration", 20), connections = flag("connections", 50), warmupS = flag("warmup", 10)) {
  const server = await startServer();
  const headers = { "x-api-key": server.apiKey, "content-type": "application/json" };
  try {
    // Data to read: 200 blocks.
    for (let i = 0; i < 200; i++) {
      const res = await fetch(`${server.apiUrl}/`, {
        method: "POST",
        headers,
        body: JSON.stringify({ PK: `seed-${i}`, capacityReservationId: crFor(i), region: "us-east-1" }),
      });
      if (res.status !== 201 && res.status !== 200) throw new Error(`seeding failed: ${res.status} ${await res.text()}`);
    }
    let counter = 1_000_000;
    const post: autocannon.Request = {
      method: "POST",
      path: "/",
      setupRequest: (req: autocannon.Request) => {
        const n = counter++;
        return { ...req, body: JSON.stringify({ PK: `load-${n}`, capacityReservationId: crFor(n), region: "us-east-1" }) };
      },
    };
    const getOne: autocannon.Request = { method: "GET", path: "/seed-7" };
    const getPage: autocannon.Request = { method: "GET", path: "/?limit=50" };
    if (warmupS > 0) {
      await autocannon({ url: server.apiUrl, connections, duration: warmupS, headers, requests: [getOne, getPage, post] });
    }
    const cases: Case[] = [
      { name: "GET /{PK}", target: "p99 < 50 ms, 0 errors", connections, p99Target: 50, opts: getOne },
      { name: "GET / (page of 50)", target: "0 errors", connections, opts: getPage },
      { name: "POST / (unique PK)", target: "0 errors", connections, opts: post },
      // The same GET at lower concurrency, down to one connection: the service time without queueing.
      ...[20, 10, 1]
        .filter((c) => c < connections)
        .map((c) => ({ name: c === 1 ? "GET /{PK} (service time)" : "GET /{PK}", target: "-", connections: c, opts: getOne })),
    ];
    const rows = [];
    for (const c of cases) {
      const before = { api: cpuMs(server.pids.api), dynamo: cpuMs(server.pids.dynamo) };
      const result = await autocannon({ url: server.apiUrl, connections: c.connections, duration: durationS, headers, requests: [c.opts] });
      const after = { api: cpuMs(server.pids.api), dynamo: cpuMs(server.pids.dynamo) };
      const perRequest = (a?: number, b?: number) => (a === undefined || b === undefined ? "-" : fmt((b - a) / result.requests.total, 2));
      const bad = result.errors + result.timeouts + result.non2xx;
      rows.push({
        endpoint: c.name,
        connections: c.connections,
        requests: result.requests.total,
        "req/s": fmt(result.requests.average, 0),
        "p50 (ms)": result.latency.p50,
        "p99 (ms)": result.latency.p99,
        "max (ms)": result.latency.max,
        "errors / timeouts / non-2xx": `${result.errors} / ${result.timeouts} / ${result.non2xx}`,
        "CPU ms/req API": perRequest(before.api, after.api),
        "CPU ms/req DynamoDB Local": perRequest(before.dynamo, after.dynamo),
        target: c.target,
        ok: bad === 0 && (c.p99Target === undefined || result.latency.p99 < c.p99Target) ? "yes" : "NO",
      });
    }
    printTable(
      `API under load (local server: HTTP adapter + Middy handler + DynamoDB Local; autocannon, ${durationS} s per row after ${warmupS} s of warm-up)`,
      rows,
    );
    return rows;
  } finally {
    await server.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchApiLoad();
