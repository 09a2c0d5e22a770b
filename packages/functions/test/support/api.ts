import type { Context } from "aws-lambda";
import type { BlockStore, Clock } from "@cbm/core";
import { createDynamoBlockStore } from "../../src/adapters/dynamo-block-store";
import { createDynamoHistoryStore } from "../../src/adapters/dynamo-history-store";
import { createDynamoIdempotency, type DynamoIdempotencyOptions } from "../../src/adapters/dynamo-idempotency";
import { createUlidIds } from "../../src/adapters/ids";
import { staticSecretSource } from "../../src/adapters/secrets-source";
import { createApiHandler } from "../../src/composition/create-api-handler";
import type { ApiEvent, ApiResult } from "../../src/platform/http/types";
import { freshTable } from "./dynamo";

export const API_KEY = "test-key-0123456789";

export interface CallOptions {
  body?: unknown;
  /** Sent as is (no JSON encoding) when a string. */
  rawBody?: string | null;
  headers?: Record<string, string>;
  query?: Record<string, string>;
  base64?: boolean;
  /** false: send no x-api-key. */
  apiKey?: string | false;
}

export interface CallResult {
  status: number;
  headers: Record<string, string>;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary JSON
  body: any;
}

/** An API Gateway REST (v1) proxy event, as API Gateway and local mode build it. */
export function apiEvent(method: string, path: string, opts: CallOptions = {}): ApiEvent {
  const raw = opts.rawBody !== undefined ? opts.rawBody : opts.body === undefined ? null : JSON.stringify(opts.body);
  const headers: Record<string, string> = {
    ...(opts.apiKey === false ? {} : { "X-Api-Key": opts.apiKey ?? API_KEY }),
    ...(raw !== null && opts.body !== undefined ? { "Content-Type": "application/json" } : {}),
    ...opts.headers,
  };
  return {
    httpMethod: method,
    path,
    resource: "/{proxy+}",
    pathParameters: { proxy: path.slice(1) },
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
    queryStringParameters: opts.query ?? null,
    multiValueQueryStringParameters: opts.query ? Object.fromEntries(Object.entries(opts.query).map(([k, v]) => [k, [v]])) : null,
    body: raw !== null && opts.base64 ? Buffer.from(raw, "utf8").toString("base64") : raw,
    isBase64Encoded: !!opts.base64,
    stageVariables: null,
    requestContext: { path: `/test${path}`, stage: "test", httpMethod: method, requestId: "req-1" } as ApiEvent["requestContext"],
  };
}

export interface Captured {
  errors: unknown[];
  warnings: unknown[];
}

export interface TestApiOptions {
  clock?: Clock;
  prefix?: string;
  /** Idempotency-Key support over the same table, as the Lambda has it. */
  idempotency?: Partial<Pick<DynamoIdempotencyOptions, "inProgressMs" | "expiresAfterSeconds">>;
  /** Wraps the block store, e.g. to hold a write back. */
  wrapStore?: (store: BlockStore) => BlockStore;
}

/** The API handler on a fresh DynamoDB Local table, with a static key and a capturing logger. */
export async function createTestApi(opts: TestApiOptions = {}) {
  const { client, base, tableName } = await freshTable(opts.prefix ?? "api");
  const dynamoStore = createDynamoBlockStore({ client, tableName });
  const store = opts.wrapStore ? opts.wrapStore(dynamoStore) : dynamoStore;
  const history = createDynamoHistoryStore({ client, tableName });
  const captured: Captured = { errors: [], warnings: [] };
  const logger = {
    error: (m: string, f?: Record<string, unknown>) => void captured.errors.push({ m, ...f }),
    warn: (m: string, f?: Record<string, unknown>) => void captured.warnings.push({ m, ...f }),
  };
  const idempotency = opts.idempotency ? createDynamoIdempotency<ApiResult>({ client: base, tableName, ...opts.idempotency }) : undefined;
  const handler = createApiHandler({
    store,
    history,
    secrets: staticSecretSource(API_KEY),
    clock: opts.clock,
    ids: createUlidIds(opts.clock),
    logger,
    ...(idempotency ? { idempotency } : {}),
  });
  const context = { awsRequestId: "req-1" } as Context;

  async function call(method: string, path: string, callOpts: CallOptions = {}): Promise<CallResult> {
    return send(apiEvent(method, path, callOpts));
  }

  async function send(event: ApiEvent): Promise<CallResult> {
    const res = await handler(event, context);
    const headers = Object.fromEntries(Object.entries(res.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]));
    let body: unknown;
    try {
      body = res.body ? JSON.parse(res.body) : undefined;
    } catch {
      body = undefined;
    }
    return { status: res.statusCode, headers, text: res.body ?? "", body };
  }

  return { call, send, store, history, captured, client, base, tableName };
}
