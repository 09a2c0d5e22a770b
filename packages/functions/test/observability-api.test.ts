import { beforeAll, describe, expect, it } from "vitest";
import type { Context } from "aws-lambda";
import { createDynamoBlockStore } from "../src/adapters/dynamo-block-store";
import { createDynamoHistoryStore } from "../src/adapters/dynamo-history-store";
import { createUlidIds } from "../src/adapters/ids";
import { staticSecretSource } from "../src/adapters/secrets-source";
import { createApiHandler } from "../src/composition/create-api-handler";
import { createLogger } from "../src/platform/observability/logger";
import { createMetrics } from "../src/platform/observability/metrics";
import { API_KEY, apiEvent, type CallOptions } from "./support/api";
import { crId, fixedClock } from "./support/blocks";
import { freshTable } from "./support/dynamo";
import { wrapStore } from "./support/scheduler-harness";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- parsed log lines

const clock = fixedClock("2026-03-01T00:00:00.000Z");
const WRONG_KEY = "wrong-key-must-not-be-logged-42";
const logLines: string[] = [];
const emfLines: string[] = [];
let handler: ReturnType<typeof createApiHandler>;
let seq = 0;

beforeAll(async () => {
  const { client, tableName } = await freshTable("obs-api");
  const inner = createDynamoBlockStore({ client, tableName });
  // GET /boom-… fails inside the store with a plain Error: the 500 path.
  const store = wrapStore(inner, {
    get: async (pk) => (pk.startsWith("boom") ? Promise.reject(new Error(`store exploded for ${pk}`)) : inner.get(pk)),
  });
  handler = createApiHandler({
    store,
    history: createDynamoHistoryStore({ client, tableName }),
    secrets: staticSecretSource(API_KEY),
    clock,
    ids: createUlidIds(clock),
    logger: createLogger({ service: "cbm-api", sink: { write: (l) => logLines.push(l) }, context: { stage: "test" } }),
    metrics: createMetrics({ sink: { write: (l) => emfLines.push(l) }, defaults: { stage: "test" } }),
  });
});

/** One request as API Gateway sends it; returns its status and the log lines and EMF documents it produced. */
async function request(method: string, path: string, opts: CallOptions = {}) {
  const fromLog = logLines.length;
  const fromEmf = emfLines.length;
  const id = `apigw-${++seq}`;
  const event = apiEvent(method, path, opts);
  event.requestContext = { ...event.requestContext, requestId: id };
  const res = await handler(event, { awsRequestId: `lambda-${seq}` } as Context);
  const logs = logLines.slice(fromLog).map((l) => JSON.parse(l) as Json);
  const emf = emfLines.slice(fromEmf).map((l) => JSON.parse(l) as Json);
  return {
    status: res.statusCode,
    body: res.body ? (JSON.parse(res.body) as Json) : undefined,
    logs,
    emf,
    access: logs.filter((l) => l.message === "request"),
    id,
  };
}

const metric = (emf: Json[], name: string, dims: Record<string, string> = {}) => {
  const docs = emf.filter((d) => d[name] !== undefined && Object.entries(dims).every(([k, v]) => d[k] === v));
  return docs.length ? docs.reduce((s, d) => s + (d[name] as number), 0) : undefined;
};

describe("API access log and metrics", () => {
  it("a request: exactly one access line (method, route template, status, latency, request ids, actor); Requests, Latency", async () => {
    const cr = crId();
    const r = await request("POST", "/", {
      body: { capacityReservationId: cr, availabilityZone: "us-east-1a" },
      headers: { "x-cbm-actor": "cli:alice" },
    });
    expect(r.status).toBe(201);
    expect(r.access).toEqual([
      {
        level: "info",
        timestamp: expect.any(String),
        message: "request",
        service: "cbm-api",
        stage: "test",
        method: "POST",
        route: "/",
        path: "/",
        status: 201,
        latencyMs: expect.any(Number),
        requestId: r.id,
        awsRequestId: `lambda-${seq}`,
        actor: "cli:alice",
      },
    ]);
    expect(r.logs).toHaveLength(1);
    expect(metric(r.emf, "Requests")).toBe(1);
    expect(metric(r.emf, "Latency")).toBeGreaterThanOrEqual(0);
    expect(metric(r.emf, "ApiErrors")).toBeUndefined();
    expect(r.emf.every((d) => d.stage === "test" && d._aws.CloudWatchMetrics[0].Namespace === "CapacityBlockManager")).toBe(true);

    const got = await request("GET", `/${cr}/history`);
    expect(got.access).toHaveLength(1);
    expect(got.access[0]).toMatchObject({ method: "GET", route: "/{PK}/history", path: `/${cr}/history`, status: 200, actor: "api-key" });
  });

  it("client errors: the code of the error body, ApiErrors{class=4xx}; a wrong key is 403 FORBIDDEN with no actor", async () => {
    const forbidden = await request("GET", "/", { apiKey: WRONG_KEY });
    expect(forbidden.status).toBe(403);
    expect(forbidden.access).toHaveLength(1);
    expect(forbidden.access[0]).toMatchObject({ level: "info", method: "GET", route: "/", status: 403, errorCode: "FORBIDDEN" });
    expect(forbidden.access[0]!.actor).toBeUndefined();
    expect(metric(forbidden.emf, "ApiErrors", { class: "4xx" })).toBe(1);
    expect(forbidden.emf.find((d) => d.ApiErrors !== undefined)!._aws.CloudWatchMetrics[0].Dimensions).toEqual([["stage", "class"]]);

    const invalid = await request("POST", "/", { body: { capacityReservationId: "nope" } });
    expect(invalid.access[0]).toMatchObject({ status: 400, route: "/", errorCode: "VALIDATION_FAILED" });
    const missing = await request("GET", `/${crId()}`);
    expect(missing.access[0]).toMatchObject({ status: 404, route: "/{PK}", errorCode: "NOT_FOUND" });
    const nowhere = await request("GET", "/a/b/c/d");
    expect(nowhere.access[0]).toMatchObject({ status: 404, route: null, path: "/a/b/c/d" });
    const notAllowed = await request("PATCH", "/");
    expect(notAllowed.access[0]).toMatchObject({ status: 405, route: null, errorCode: "METHOD_NOT_ALLOWED" });
  });

  it("server errors: the access line at level error with code INTERNAL, ApiErrors{class=5xx}", async () => {
    const r = await request("GET", "/boom-1");
    expect(r.status).toBe(500);
    expect(r.access).toHaveLength(1);
    expect(r.access[0]).toMatchObject({
      level: "error",
      method: "GET",
      route: "/{PK}",
      status: 500,
      errorCode: "INTERNAL",
      requestId: r.id,
    });
    // The error line carries the access line's request id, so one filter finds both.
    expect(r.logs.find((l) => l.message === "Unhandled error")).toMatchObject({
      level: "error",
      requestId: r.id,
      error: { message: "store exploded for boom-1" },
    });
    expect(metric(r.emf, "ApiErrors", { class: "5xx" })).toBe(1);
    expect(metric(r.emf, "ApiErrors", { class: "4xx" })).toBeUndefined();
  });

  it("never writes the API key (right or wrong) to any log line or metric, whatever the request carries", async () => {
    const cr = crId();
    const requests: Array<[string, string, CallOptions]> = [
      ["GET", "/", {}],
      ["GET", "/", { query: { apiKey: API_KEY, token: API_KEY } }],
      [
        "POST",
        "/",
        { body: { capacityReservationId: cr, availabilityZone: "us-east-1a", name: "n" }, headers: { Authorization: `Bearer ${API_KEY}` } },
      ],
      ["POST", "/", { body: { capacityReservationId: "bad", name: API_KEY } }],
      ["PUT", `/${cr}`, { rawBody: `{"broken": "${API_KEY}"` }],
      ["GET", "/", { apiKey: WRONG_KEY }],
      ["GET", "/", { apiKey: false, headers: { "X-API-KEY": WRONG_KEY } }],
      ["GET", "/boom-2", { headers: { "x-cbm-actor": "ops" } }],
      ["DELETE", "/a/b/c", {}],
    ];
    const before = logLines.length + emfLines.length;
    for (const [method, path, opts] of requests) {
      const r = await request(method, path, opts);
      expect(r.access, `${method} ${path}`).toHaveLength(1);
    }
    const all = [...logLines, ...emfLines];
    expect(all.length).toBeGreaterThan(before);
    for (const line of all) {
      expect(line).not.toContain(API_KEY);
      expect(line).not.toContain(WRONG_KEY);
    }
  });
});
