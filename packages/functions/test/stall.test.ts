import { existsSync, readFileSync, readdirSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { Context } from "aws-lambda";
import type { BlockStore, CapacityProvider } from "@cbm/core";
import { startDynamoLocal, type DynamoLocal } from "../../local/src/dynamo-local";
import {
  API_DYNAMO_LIMITS,
  API_SECRETS_LIMITS,
  TICK_DYNAMO_LIMITS,
  sdkClientConfig,
  withCallBudget,
  type CallLimits,
} from "../src/adapters/call-limits";
import { createDynamoBlockStore } from "../src/adapters/dynamo-block-store";
import { createDynamoClients } from "../src/adapters/dynamo-client";
import { createDynamoHistoryStore } from "../src/adapters/dynamo-history-store";
import { createDynamoIdempotency } from "../src/adapters/dynamo-idempotency";
import { createSecretsManagerSource } from "../src/adapters/secrets-manager";
import { staticSecretSource, type RefreshableSecretSource } from "../src/adapters/secrets-source";
import { createTable } from "../src/adapters/dynamo-table";
import { createApiHandler } from "../src/composition/create-api-handler";
import { createMetrics, type MetricDatum } from "../src/platform/observability/metrics";
import { createTick } from "../src/tick/create-tick";
import { createTickHandler } from "../src/tick/create-tick-handler";
import { API_KEY, apiEvent, type CallOptions } from "./support/api";
import { crId, makeBlock, sequentialIds } from "./support/blocks";
import { blackHole } from "./support/black-hole";
import { silentNotifier, wrapStore } from "./support/scheduler-harness";

/*
 * A stalled dependency, for real: DynamoDB Local is frozen with SIGSTOP (the kernel still accepts connections and
 * buffers requests; nothing answers), Secrets Manager is a port that accepts and never answers. The API
 * must answer 503 DEPENDENCY_UNAVAILABLE with Retry-After in about 3 s, and the tick must give up and return.
 */

/** The answer a client gets while a dependency stalls: in about 3 s (the budget of two calls plus slack). */
const API_ANSWER_MS = 3_500;
const CREDENTIALS = { accessKeyId: "AKIDLOCAL", secretAccessKey: "local" };

let db: DynamoLocal;
let tableName: string;
let frozen = false;
/** When the last freeze took hold (every thread stopped): a mid-request stall's answer time counts from here. */
let stalledAt: number | undefined;

/** True when every thread of `pid` is stopped (or gone); Linux's /proc, where CI runs. */
function allThreadsStopped(pid: number): boolean {
  const dir = `/proc/${pid}/task`;
  if (!existsSync(dir)) return true;
  return readdirSync(dir).every((tid) => {
    try {
      const stat = readFileSync(`${dir}/${tid}/stat`, "utf8");
      // The state follows the command name, which is in parentheses and may contain spaces.
      return "TtXZ".includes(stat.charAt(stat.lastIndexOf(")") + 2));
    } catch {
      return true; // the thread exited meanwhile
    }
  });
}

/**
 * Freezes DynamoDB Local and resolves once every JVM thread has stopped. kill() only queues SIGSTOP: the kernel wakes
 * one thread to take it, and on a loaded machine that thread can wait for a CPU while Jetty's selector, already
 * running, answers a request sent meanwhile (a create "cut off at its write" then answered 201). Waiting here makes
 * the stall real before anything is sent into it.
 */
async function freeze(): Promise<void> {
  process.kill(db.pid!, "SIGSTOP");
  frozen = true;
  const giveUpAt = performance.now() + 30_000;
  while (!allThreadsStopped(db.pid!)) {
    if (performance.now() > giveUpAt) throw new Error("DynamoDB Local did not stop within 30 s of SIGSTOP");
    await new Promise((r) => setTimeout(r, 2));
  }
  stalledAt = performance.now();
}
const thaw = () => {
  if (frozen) process.kill(db.pid!, "SIGCONT");
  frozen = false;
};

const clientsWith = (limits?: CallLimits) =>
  createDynamoClients({ endpoint: db.endpoint, region: "us-east-1", credentials: CREDENTIALS, ...(limits ? { limits } : {}) });

/** The API as the Lambda composes it (API limits, idempotency in the same table), over `clients`. */
function apiOver(
  clients: ReturnType<typeof clientsWith>,
  over: { secrets?: RefreshableSecretSource; wrap?: (inner: BlockStore) => BlockStore } = {},
) {
  const inner = createDynamoBlockStore({ client: clients.doc, tableName });
  const handler = createApiHandler({
    store: over.wrap ? over.wrap(inner) : inner,
    history: createDynamoHistoryStore({ client: clients.doc, tableName }),
    secrets: over.secrets ?? staticSecretSource(API_KEY),
    // Short, so that the test can see a key whose first request was cut off become usable again.
    idempotency: createDynamoIdempotency({ client: clients.base, tableName, inProgressMs: 2_000 }),
    logger: { warn: () => undefined, error: () => undefined },
  });
  return async (method: string, path: string, opts: CallOptions = {}) => {
    const started = performance.now();
    const res = await handler(apiEvent(method, path, opts), { awsRequestId: "stall" } as Context);
    const headers = Object.fromEntries(Object.entries(res.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]));
    const doneAt = performance.now();
    return { status: res.statusCode, headers, body: res.body ? JSON.parse(res.body) : undefined, ms: doneAt - started, doneAt };
  };
}

let loose: ReturnType<typeof clientsWith>;
let setupApi: ReturnType<typeof apiOver>;

beforeAll(async () => {
  db = await startDynamoLocal();
  loose = clientsWith();
  tableName = `stall-${crypto.randomUUID().slice(0, 8)}`;
  await createTable(loose.doc, tableName);
  // Setup and checks go through loosely bounded clients, so a slow machine cannot fail them; only the measured
  // requests use the Lambda's limits.
  setupApi = apiOver(loose);
}, 120_000);

afterAll(async () => {
  thaw();
  await db?.stop();
});

/** `call`, which freezes DynamoDB the first time it runs, just before it reaches DynamoDB. */
function freezingFirst<A extends unknown[], R>(call: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  let armed = true;
  return async (...args) => {
    if (armed) {
      armed = false;
      await freeze();
    }
    return call(...args);
  };
}

/** How long a request took to answer once the stall had begun (it began inside the request). */
const sinceStall = (res: { doneAt: number }) => res.doneAt - stalledAt!;

/**
 * Sends a request whose stall begins inside it, each time with a fresh Idempotency-Key, until one reaches the stall
 * (at most 5 tries). On a loaded machine DynamoDB Local can answer a call made before the stall more slowly than the
 * API's budget: that 503 came before the stall began and proves nothing here. Returns the answer and its key.
 */
async function cutOff(send: (headers: Record<string, string>) => ReturnType<ReturnType<typeof apiOver>>) {
  for (let attempt = 1; ; attempt++) {
    stalledAt = undefined;
    const headers = { "Idempotency-Key": crypto.randomUUID() };
    let cut;
    try {
      cut = await send(headers);
    } finally {
      thaw();
    }
    if (stalledAt !== undefined || attempt === 5) return { cut, headers };
  }
}

/** A client retrying with the same Idempotency-Key while the first attempt's record is in progress (409). */
async function retryWhileInProgress(send: () => ReturnType<ReturnType<typeof apiOver>>) {
  let res = await send();
  for (let i = 0; i < 40 && res.body?.code === "IDEMPOTENCY_IN_PROGRESS"; i++) {
    await new Promise((r) => setTimeout(r, 250));
    res = await send();
  }
  return res;
}

async function createdBlock() {
  const res = await setupApi("POST", "/", {
    body: { capacityReservationId: crId(), availabilityZone: "us-east-1a", endDate: "2030-03-10T11:30:00Z" },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { PK: string; version: number };
}

describe("a stalled DynamoDB", () => {
  it("every route answers 503 DEPENDENCY_UNAVAILABLE with Retry-After in about 3 s, never hangs", async () => {
    const b = await createdBlock();
    const api = apiOver(clientsWith(API_DYNAMO_LIMITS));
    expect((await api("GET", `/${b.PK}`)).status).toBe(200);

    await freeze();
    let results;
    try {
      results = await Promise.all([
        api("GET", "/"),
        api("GET", `/${b.PK}`),
        api("GET", `/${b.PK}/history`),
        api("POST", "/", { body: { capacityReservationId: crId(), availabilityZone: "us-east-1a" } }),
        api("PUT", `/${b.PK}`, { body: { instanceCount: 3 } }),
        api("PUT", `/${b.PK}`, { body: { instanceCount: 3 }, headers: { "Idempotency-Key": crypto.randomUUID() } }),
        api("PATCH", `/${b.PK}`, { headers: { "Idempotency-Key": crypto.randomUUID() } }),
        api("POST", `/${b.PK}/deny`),
        api("DELETE", `/${b.PK}`),
      ]);
    } finally {
      thaw();
    }

    for (const r of results) {
      expect(r.status, JSON.stringify(r.body)).toBe(503);
      expect(r.body.code).toBe("DEPENDENCY_UNAVAILABLE");
      expect(r.headers["retry-after"]).toBe("2");
      expect(r.ms).toBeLessThan(API_ANSWER_MS);
    }
    console.log(`[stall] 503 after ${results.map((r) => Math.round(r.ms)).join(", ")} ms`);
  });

  it("a stall that begins after the idempotency record was written still answers in about 3 s; the retry then writes once", async () => {
    const b = await createdBlock();
    // The stall starts inside the use case: the Idempotency-Key's record is already stored, so after the read fails,
    // removing that record is a second call into the stall.
    const api = apiOver(clientsWith(API_DYNAMO_LIMITS), {
      wrap: (inner) => wrapStore(inner, { get: freezingFirst((pk) => inner.get(pk)) }),
    });

    const { cut, headers } = await cutOff((headers) => api("PUT", `/${b.PK}`, { body: { instanceCount: 5 }, headers }));
    const retried = await retryWhileInProgress(() => setupApi("PUT", `/${b.PK}`, { body: { instanceCount: 5 }, headers }));

    expect(stalledAt, "the request reached the stall").toBeDefined();
    expect(cut.status).toBe(503);
    expect(cut.body.code).toBe("DEPENDENCY_UNAVAILABLE");
    expect(sinceStall(cut)).toBeLessThan(API_ANSWER_MS);
    console.log(`[stall] mid-request stall: 503 after ${Math.round(sinceStall(cut))} ms`);
    expect(retried.status, JSON.stringify(retried.body)).toBe(200);
    const stored = (await setupApi("GET", `/${b.PK}`)).body;
    expect([stored.instanceCount, stored.version]).toEqual([5, b.version + 1]);
  });

  it("a create cut off at its write may still land after the stall; the retry with the same key never makes a second", async () => {
    const input = { capacityReservationId: crId(), availabilityZone: "us-east-1a" };
    const api = apiOver(clientsWith(API_DYNAMO_LIMITS), {
      wrap: (inner) => wrapStore(inner, { create: freezingFirst((b, e) => inner.create(b, e)) }),
    });

    const { cut, headers } = await cutOff((headers) => api("POST", "/", { body: input, headers }));
    const retried = await retryWhileInProgress(() => setupApi("POST", "/", { body: input, headers }));
    const history = await setupApi("GET", `/${input.capacityReservationId}/history`);

    expect(stalledAt, "the request reached the stall").toBeDefined();
    expect(cut.status).toBe(503);
    expect(sinceStall(cut)).toBeLessThan(API_ANSWER_MS);
    // DynamoDB may still apply the write it had buffered when the client gave up: then the retry finds the block
    // (409 ALREADY_EXISTS); otherwise it creates it. Either way there is exactly one.
    expect([201, 409]).toContain(retried.status);
    if (retried.status === 409) expect(retried.body.code).toBe("ALREADY_EXISTS");
    expect(history.body.map((e: { type: string }) => e.type)).toEqual(["created"]);
    console.log(
      `[stall] create cut off after ${Math.round(sinceStall(cut))} ms; the retry answered ${retried.status} (${retried.status === 409 ? "the first write landed late" : "it had not"})`,
    );
  });

  it("the tick gives up on its page within its DynamoDB budget: a clean end, reported, no heartbeat", async () => {
    const tickClients = clientsWith(TICK_DYNAMO_LIMITS);
    const store = createDynamoBlockStore({ client: tickClients.doc, tableName });
    await createDynamoBlockStore({ client: loose.doc, tableName }).create(makeBlock({ nextCheckAt: "2020-01-01T00:00:00.000Z" }));
    const ec2: CapacityProvider = {
      describeReservations: async () => new Map(),
      extensionHistory: async () => new Map(),
      extensionOfferings: async () => [],
      purchaseExtension: async () => Promise.reject(new Error("no purchase in this test")),
      claimForStage: async () => Promise.reject(new Error("no claim in this test")),
    };
    const warnings: string[] = [];
    const logger = { info: () => undefined, warn: (m: string) => void warnings.push(m), error: (m: string) => void warnings.push(m) };
    const clock = { now: () => new Date("2026-03-01T00:00:00.000Z") };
    const tick = createTick({
      store,
      history: createDynamoHistoryStore({ client: tickClients.doc, tableName }),
      ec2,
      notifier: silentNotifier(true),
      clock,
      ids: sequentialIds("S"),
      settings: { accountId: "123456789012" },
      logger,
    });
    const flushed: MetricDatum[] = [];
    const handler = createTickHandler({ tick, logger, metrics: createMetrics({ onFlush: (d) => void flushed.push(...d) }) });
    const context = { getRemainingTimeInMillis: () => 55_000, awsRequestId: "tick" } as unknown as Context;

    await freeze();
    const started = performance.now();
    let report;
    try {
      report = await handler({}, context);
    } finally {
      thaw();
    }
    const ms = performance.now() - started;
    const after = await handler({}, context);

    expect(report).toMatchObject({ dueUnavailable: true, errors: 1, due: 0, processed: 0 });
    expect(ms).toBeLessThan(TICK_DYNAMO_LIMITS.budgetMs + 1_500);
    console.log(`[stall] tick returned after ${Math.round(ms)} ms`);
    expect(warnings).toContain("due blocks unavailable; tick ends, the next one retries");
    expect(warnings).not.toContain("tick failed");
    const named = (name: string) => flushed.filter((d) => d.name === name).map((d) => d.value);
    expect(named("TickHeartbeat")).toEqual([1]); // only the tick after the thaw
    expect(named("TickErrors")).toEqual([1, 0]);
    expect(after.dueUnavailable).toBeUndefined();
    expect(after.due).toBeGreaterThanOrEqual(1);
  });
});

describe("a stalled Secrets Manager", () => {
  it("a stalled Secrets Manager: 503 DEPENDENCY_UNAVAILABLE in about 1.5 s, after at most maxAttempts requests", async () => {
    const hole = await blackHole();
    try {
      const client = withCallBudget(
        new SecretsManagerClient({
          region: "us-east-1",
          endpoint: hole.endpoint,
          credentials: CREDENTIALS,
          ...sdkClientConfig(API_SECRETS_LIMITS),
        }),
        API_SECRETS_LIMITS.budgetMs,
      );
      const api = apiOver(loose, { secrets: createSecretsManagerSource({ client, secretId: "cbm/api-key" }) });

      const res = await api("GET", "/");

      expect(res.status).toBe(503);
      expect(res.body.code).toBe("DEPENDENCY_UNAVAILABLE");
      expect(res.headers["retry-after"]).toBe("2");
      expect(res.ms).toBeLessThan(API_SECRETS_LIMITS.budgetMs + 1_000);
      expect(hole.connections()).toBeLessThanOrEqual(API_SECRETS_LIMITS.maxAttempts);
    } finally {
      await hole.close();
    }
  });
});
