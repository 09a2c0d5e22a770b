import { mkdtempSync, rmSync, statSync, writeFileSync, chmodSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { API_ROUTES, PLANNING_ROUTES, WEB_ROUTES } from "@cbm/functions/contracts";
import { matchResource } from "../src/api-gateway-paths";
import { LOCAL_RESOURCES } from "../src/planning";
import { createHttpListener, serveHttp, type HttpServer, type ProxyEvent, type ProxyHandler, type ProxyResult } from "../src/http-adapter";
import { ensureApiKey, findProjectRoot } from "../src/state-dir";
import { createTickLoop } from "../src/tick-loop";

/** Echoes the event it got, or acts on `x-test` to exercise the result mapping. */
const echo: ProxyHandler = async (event: ProxyEvent): Promise<ProxyResult | undefined> => {
  const mode = event.headers["x-test"];
  if (mode === "throw") throw new Error("boom");
  if (mode === "cookies") {
    return {
      statusCode: 201,
      headers: { "X-One": "1", "Set-Cookie": "ignored=1" },
      multiValueHeaders: { "Set-Cookie": ["a=1", "b=2"] },
      body: "",
    };
  }
  if (mode === "binary")
    return {
      statusCode: 200,
      headers: { "content-type": "application/octet-stream" },
      body: Buffer.from([0, 1, 2, 255]).toString("base64"),
      isBase64Encoded: true,
    };
  if (mode === "bad") return undefined;
  return { statusCode: 200, body: JSON.stringify(event) };
};

let server: HttpServer;

/** Sends `path` exactly as written (a URL would resolve `.`, `..` and read `//x` as a host first). */
function raw(
  path: string,
  opts: { method?: string; headers?: [string, string][]; body?: Buffer },
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port: server.port, path, method: opts.method ?? "GET" }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on("error", reject);
    for (const [k, v] of opts.headers ?? []) req.appendHeader(k, v);
    req.end(opts.body);
  });
}

beforeAll(async () => {
  const listener = createHttpListener({
    handler: echo,
    apiKey: async () => "secret-key",
    now: () => new Date("2030-01-02T03:04:05.000Z"),
    maxBodyBytes: 1024,
    localRoutes: { "GET /_local/outbox": async () => ({ status: 200, body: [{ kind: "x" }] }) },
  });
  server = await serveHttp(listener, { port: 0 });
});

afterAll(async () => {
  await server?.close();
});

describe("http adapter: request → API Gateway REST v1 proxy event", () => {
  it("fills every event field: resource, path parameters, single- or multi-value headers, query, request context", async () => {
    const r = await raw("/llm-pretrain/history?limit=2&limit=3&cursor=a%20b", {
      headers: [
        ["X-Api-Key", "k"],
        ["X-Multi", "one"],
        ["X-Multi", "two"],
      ],
    });
    expect(r.status).toBe(200);
    expect(r.headers["x-cbm-now"]).toBe("2030-01-02T03:04:05.000Z");
    const e = JSON.parse(r.body.toString()) as ProxyEvent;
    expect(e).toMatchObject({
      httpMethod: "GET",
      path: "/llm-pretrain/history",
      resource: "/{PK}/history",
      pathParameters: { PK: "llm-pretrain" },
      queryStringParameters: { limit: "3", cursor: "a b" },
      multiValueQueryStringParameters: { limit: ["2", "3"], cursor: ["a b"] },
      body: null,
      isBase64Encoded: false,
      stageVariables: null,
    });
    expect(e.headers["X-Api-Key"]).toBe("k");
    expect(e.headers["X-Multi"]).toBe("two");
    expect(e.multiValueHeaders["X-Multi"]).toEqual(["one", "two"]);
    expect(e.requestContext).toMatchObject({
      stage: "local",
      httpMethod: "GET",
      resourcePath: "/{PK}/history",
      identity: { sourceIp: "127.0.0.1" },
    });
    expect(e.requestContext.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(r.headers["x-amzn-requestid"]).toBe(e.requestContext.requestId);
  });

  it("matches routes like API Gateway: the root, static routes, unknown paths", async () => {
    const root = JSON.parse((await raw("/", {})).body.toString()) as ProxyEvent;
    expect([root.resource, root.pathParameters, root.queryStringParameters]).toEqual(["/", null, null]);
    const doc = JSON.parse((await raw("/openapi.json", {})).body.toString()) as ProxyEvent;
    expect(doc.resource).toBe("/openapi.json");
    const deep = JSON.parse((await raw("/a/b/c", {})).body.toString()) as ProxyEvent;
    expect(deep).toMatchObject({ resource: "/{proxy+}", pathParameters: { proxy: "a/b/c" } });
  });

  it("maps every route of the manifests (block API, pages, planning API) to its own resource", () => {
    const templates = [...API_ROUTES, ...WEB_ROUTES, ...PLANNING_ROUTES].map((r) => r.slice(r.indexOf(" ") + 1));

    const matched = templates.map((t) => matchResource(t.replace(/\{[^}]+\}/g, "x-1"), [...LOCAL_RESOURCES]).resource);

    expect(matched).toEqual(templates);
  });

  it("keeps the path as sent: `//`, `.` and `..` segments match no resource and are never resolved into one", async () => {
    const event = async (path: string) => JSON.parse((await raw(path, {})).body.toString()) as ProxyEvent;
    for (const path of [
      "//x/trn2-experiments",
      "/x/../west-cluster",
      "/./west-cluster",
      "/west-cluster/.",
      "/..",
      "/llm-pretrain//history",
    ]) {
      expect(await event(path), path).toMatchObject({ path, resource: "/{proxy+}", pathParameters: { proxy: path.slice(1) } });
    }
    // A single trailing slash still names the resource, as it does behind API Gateway.
    expect(await event("/llm-pretrain/")).toMatchObject({ resource: "/{PK}", pathParameters: { PK: "llm-pretrain" } });
    expect(await event("/x?a=1&a=2")).toMatchObject({ path: "/x", multiValueQueryStringParameters: { a: ["1", "2"] } });
  });

  it("refuses a request target that is not a path (400), never resolving one into a local route", async () => {
    const absolute = await raw("http://other.example/llm-pretrain", {});
    expect(absolute.status).toBe(400);
    const dotted = await raw("/_local/./outbox", { headers: [["x-api-key", "secret-key"]] });
    expect(dotted.status).toBe(404);
  });

  it("passes text bodies as utf8, other bodies as base64", async () => {
    const json = JSON.parse(
      (await raw("/", { method: "POST", headers: [["content-type", "application/json"]], body: Buffer.from('{"a":"é"}') })).body.toString(),
    ) as ProxyEvent;
    expect([json.body, json.isBase64Encoded]).toEqual(['{"a":"é"}', false]);
    const bin = JSON.parse(
      (
        await raw("/", { method: "PUT", headers: [["content-type", "application/octet-stream"]], body: Buffer.from([0, 159, 255]) })
      ).body.toString(),
    ) as ProxyEvent;
    expect(bin.isBase64Encoded).toBe(true);
    expect(Buffer.from(bin.body!, "base64")).toEqual(Buffer.from([0, 159, 255]));
  });

  it("writes the result: status, headers, multiValueHeaders winning over headers, base64 bodies", async () => {
    const c = await raw("/", { headers: [["x-test", "cookies"]] });
    expect(c.status).toBe(201);
    expect(c.headers["set-cookie"]).toEqual(["a=1", "b=2"]);
    expect(c.headers["x-one"]).toBe("1");
    const b = await raw("/", { headers: [["x-test", "binary"]] });
    expect(b.headers["content-type"]).toBe("application/octet-stream");
    expect(b.body).toEqual(Buffer.from([0, 1, 2, 255]));
  });

  it("answers like API Gateway when the handler fails or the body is too large", async () => {
    const thrown = await raw("/", { headers: [["x-test", "throw"]] });
    expect(thrown.status).toBe(502);
    expect(JSON.parse(thrown.body.toString())).toEqual({ message: "Internal server error" });
    expect((await raw("/", { headers: [["x-test", "bad"]] })).status).toBe(502);
    const big = await raw("/", { method: "POST", headers: [["content-type", "application/json"]], body: Buffer.alloc(2048, 32) });
    expect(big.status).toBe(413);
  });

  it("keeps local-only routes behind the API key", async () => {
    expect((await raw("/_local/outbox", {})).status).toBe(403);
    expect((await raw("/_local/outbox", { headers: [["x-api-key", "wrong"]] })).status).toBe(403);
    const ok = await raw("/_local/outbox", { headers: [["x-api-key", "secret-key"]] });
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body.toString())).toEqual([{ kind: "x" }]);
    expect((await raw("/_local/nothing", { headers: [["x-api-key", "secret-key"]] })).status).toBe(404);
  });
});

describe("API key file", () => {
  /** Runs `check` on a fresh state directory, removed afterwards. */
  function inStateDir(check: (stateDir: string) => void): void {
    const dir = mkdtempSync(join(tmpdir(), "cbm-key-"));
    try {
      check(join(dir, ".cbm", "local"));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it("is generated once (40 base64url characters, mode 0600), then reused", () => {
    inStateDir((stateDir) => {
      const first = ensureApiKey(stateDir);
      expect(first.created).toBe(true);
      expect(first.key).toMatch(/^[A-Za-z0-9]{40}$/);
      expect(statSync(first.path).mode & 0o777).toBe(0o600);
      expect(statSync(stateDir).mode & 0o077).toBe(0);
      const second = ensureApiKey(stateDir);
      expect(second).toMatchObject({ key: first.key, created: false });
    });
  });

  it("tightens a loose mode", () => {
    inStateDir((stateDir) => {
      const first = ensureApiKey(stateDir);
      chmodSync(first.path, 0o644);
      expect(ensureApiKey(stateDir).fixedMode).toBe(true);
      expect(statSync(first.path).mode & 0o777).toBe(0o600);
    });
  });

  it("makes a new key when the file is empty", () => {
    inStateDir((stateDir) => {
      const first = ensureApiKey(stateDir);
      writeFileSync(first.path, "");
      expect(ensureApiKey(stateDir).created).toBe(true);
    });
  });

  it("lives at the project root even when started from packages/local", () => {
    expect(findProjectRoot(join(import.meta.dirname, ".."))).toBe(join(import.meta.dirname, "..", "..", ".."));
  });
});

describe("tick loop", () => {
  it("never overlaps ticks, not even with stop(), which waits for the running one", async () => {
    let active = 0;
    let maxActive = 0;
    let done = 0;
    const loop = createTickLoop(
      async () => {
        active++;
        maxActive = Math.max(maxActive, active);
        await new Promise((r) => setTimeout(r, 30));
        active--;
        return ++done;
      },
      { intervalMs: 5 },
    );
    loop.start();
    await Promise.all([loop.runNow(), loop.runNow(), loop.runNow()]);
    await new Promise((r) => setTimeout(r, 50));
    await loop.stop();
    const after = done;
    expect(maxActive).toBe(1);
    expect(active).toBe(0);
    await new Promise((r) => setTimeout(r, 60));
    expect(done).toBe(after);
  });
});
