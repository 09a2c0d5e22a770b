import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { join } from "node:path";
import autocannon from "autocannon";
import { flag } from "./support/world";
import { fmt, printTable } from "./table";

/*
 * The API under load on the local server (local mode's HTTP adapter + the API's Middy handler + DynamoDB Local, in
 * a child process), with autocannon in this process: 50 connections for `--duration` seconds (default 20) on
 * GET /{PK}, a page of GET / (limit 50) and POST / with a unique PK per request.
 */

interface Server {
  apiUrl: string;
  apiKey: string;
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
  const { apiUrl, apiKey } = JSON.parse(line) as { apiUrl: string; apiKey: string };
  return {
    apiUrl,
    apiKey,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

const crFor = (n: number) => `cr-${n.toString(16).padStart(17, "0")}`;

export async function benchApiLoad(durationS = flag("duration", 20), connections = flag("connections", 50)) {
  const server = await startServer();
  const headers = { "x-api-key": server.apiKey, "content-type": "application/json" };
  try {
    // Data to read: 200 blocks.
    for (let i = 0; i < 200; i++) {
      const res = await fetch(`${server.apiUrl}/`, { method: "POST", headers, body: JSON.stringify({ PK: `seed-${i}`, capacityReservationId: crFor(i), region: "us-east-1" }) });
      if (res.status !== 201 && res.status !== 200) throw new Error(`seeding failed: ${res.status} ${await res.text()}`);
    }
    let counter = 1_000_000;
    const cases = [
      { name: "GET /{PK}", target: "p99 < 50 ms, 0 errors", opts: { method: "GET" as const, path: "/seed-7" } },
      { name: "GET / (page of 50)", target: "0 errors", opts: { method: "GET" as const, path: "/?limit=50" } },
      {
        name: "POST / (unique PK)",
        target: "0 errors",
        opts: {
          method: "POST" as const,
          path: "/",
          setupRequest: (req: autocannon.Request) => {
            const n = counter++;
            return { ...req, body: JSON.stringify({ PK: `load-${n}`, capacityReservationId: crFor(n), region: "us-east-1" }) };
          },
        },
      },
    ];
    // The same GET with one connection: the service time without queueing behind 49 other requests.
    cases.push({ name: "GET /{PK}, 1 connection (service time)", target: "-", opts: { method: "GET" as const, path: "/seed-7" }, connections: 1 } as (typeof cases)[number]);
    const rows = [];
    for (const c of cases as ((typeof cases)[number] & { connections?: number })[]) {
      const conns = c.connections ?? connections;
      const result = await autocannon({ url: server.apiUrl, connections: conns, duration: durationS, headers, requests: [c.opts as autocannon.Request] });
      const bad = result.errors + result.timeouts + result.non2xx;
      rows.push({
        endpoint: c.name,
        connections: conns,
        "duration (s)": durationS,
        requests: result.requests.total,
        "req/s": fmt(result.requests.average, 0),
        "p50 (ms)": result.latency.p50,
        "p99 (ms)": result.latency.p99,
        "max (ms)": result.latency.max,
        "errors / timeouts / non-2xx": `${result.errors} / ${result.timeouts} / ${result.non2xx}`,
        target: c.target,
        ok: bad === 0 && (c.name !== "GET /{PK}" || result.latency.p99 < 50) ? "yes" : "NO",
      });
    }
    printTable(`API under load (local server: HTTP adapter + Middy handler + DynamoDB Local; autocannon, ${connections} connections, ${durationS} s each)`, rows);
    return rows;
  } finally {
    await server.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchApiLoad();
