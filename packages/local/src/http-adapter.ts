import { randomUUID, timingSafeEqual, createHash } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { DEFAULT_RESOURCES, matchResource, splitTarget } from "./api-gateway-paths";
import { lambdaContext } from "./lambda-context";
import type { RequestGate } from "./request-gate";

export { lambdaContext, type LocalLambdaContext } from "./lambda-context";

export { DEFAULT_RESOURCES } from "./api-gateway-paths";

/** The API Gateway REST (v1) proxy event, as much of it as a Lambda handler can observe. */
export interface ProxyEvent {
  resource: string;
  path: string;
  httpMethod: string;
  headers: Record<string, string>;
  multiValueHeaders: Record<string, string[]>;
  queryStringParameters: Record<string, string> | null;
  multiValueQueryStringParameters: Record<string, string[]> | null;
  pathParameters: Record<string, string> | null;
  stageVariables: Record<string, string> | null;
  requestContext: {
    accountId: string;
    apiId: string;
    resourceId: string;
    resourcePath: string;
    httpMethod: string;
    path: string;
    stage: string;
    requestId: string;
    extendedRequestId: string;
    requestTime: string;
    requestTimeEpoch: number;
    protocol: string;
    domainName: string;
    identity: { sourceIp: string; userAgent: string | null; [k: string]: string | null };
    authorizer: null;
  };
  body: string | null;
  isBase64Encoded: boolean;
}

export interface ProxyResult {
  statusCode: number;
  headers?: Record<string, string | number | boolean>;
  multiValueHeaders?: Record<string, (string | number | boolean)[]>;
  body?: string;
  isBase64Encoded?: boolean;
}

// The handler's exact Lambda types live in @cbm/functions; the adapter only needs the shape.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Middy handlers are typed on aws-lambda's event, structurally this one
export type ProxyHandler = (event: any, context: any) => Promise<ProxyResult | undefined | void>;

/** A route answered by local mode itself (not the Lambda), still behind the API key. */
export type LocalRoute = (req: { method: string; path: string; query: URLSearchParams }) => Promise<{ status: number; body: unknown }>;

export interface HttpAdapterOptions {
  handler: ProxyHandler;
  /** Routes such as `GET /_local/outbox`, keyed "METHOD /path". */
  localRoutes?: Record<string, LocalRoute>;
  /** Checks `x-api-key` for local routes (the Lambda checks it itself). */
  apiKey?: () => Promise<string>;
  stage?: string;
  /** Route templates of the API, to fill `resource` and `pathParameters` as API Gateway would. */
  resources?: string[];
  /** The system's clock; sent as `x-cbm-now` so clients measure "time left" against the virtual clock. */
  now?: () => Date;
  /** API Gateway's payload limit. */
  maxBodyBytes?: number;
  /** API Gateway's integration timeout. */
  timeoutMs?: number;
  onError?: (err: unknown, event: ProxyEvent) => void;
  /** Own host names only (DNS-rebinding guard) and sign-in throttling; without it every request goes through. */
  gate?: RequestGate;
  /** Paths a person's browser reads: the adapter's own refusals there are pages, as the handler's are. */
  browserError?: { isBrowserPath(path: string): boolean; page(status: number, headers: Record<string, string>): BrowserPage };
}

export interface BrowserPage {
  body: string;
  headers: Record<string, string>;
}

const TEXT_TYPES = /^(text\/|application\/(json|[\w.+-]*\+json|xml|[\w.+-]*\+xml|x-www-form-urlencoded|javascript|graphql))/i;

/** Builds the REST v1 proxy event API Gateway would send for this request. */
export function toProxyEvent(
  req: IncomingMessage,
  body: Buffer,
  opts: { stage: string; resources: string[]; requestId?: string; now?: Date },
): ProxyEvent {
  const { path, query: search } = splitTarget(req.url ?? "/");
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  // rawHeaders keeps the client's casing and repeated headers, as API Gateway passes them.
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const k = req.rawHeaders[i]!;
    const v = req.rawHeaders[i + 1]!;
    headers[k] = v;
    (multiValueHeaders[k] ??= []).push(v);
  }
  const query: Record<string, string> = {};
  const multiQuery: Record<string, string[]> = {};
  for (const [k, v] of search) {
    query[k] = v;
    (multiQuery[k] ??= []).push(v);
  }
  const { resource, pathParameters } = matchResource(path, opts.resources);
  const contentType = req.headers["content-type"] ?? "";
  const isText = body.length === 0 || contentType === "" || TEXT_TYPES.test(contentType);
  const now = opts.now ?? new Date();
  const requestId = opts.requestId ?? randomUUID();
  const method = (req.method ?? "GET").toUpperCase();
  return {
    resource,
    path,
    httpMethod: method,
    headers,
    multiValueHeaders,
    queryStringParameters: Object.keys(query).length ? query : null,
    multiValueQueryStringParameters: Object.keys(multiQuery).length ? multiQuery : null,
    pathParameters,
    stageVariables: null,
    requestContext: {
      accountId: "000000000000",
      apiId: "local",
      resourceId: "local",
      resourcePath: resource,
      httpMethod: method,
      path: `/${opts.stage}${path}`,
      stage: opts.stage,
      requestId,
      extendedRequestId: requestId,
      requestTime: now.toUTCString(),
      requestTimeEpoch: now.getTime(),
      protocol: `HTTP/${req.httpVersion}`,
      domainName: req.headers.host ?? "localhost",
      identity: {
        sourceIp: (req.socket.remoteAddress ?? "127.0.0.1").replace(/^::ffff:/, ""),
        userAgent: req.headers["user-agent"] ?? null,
        accessKey: null,
        accountId: null,
        apiKey: null,
        apiKeyId: null,
        caller: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        user: null,
        userArn: null,
      },
      authorizer: null,
    },
    body: body.length === 0 ? null : isText ? body.toString("utf8") : body.toString("base64"),
    isBase64Encoded: body.length > 0 && !isText,
  };
}

/** Writes a Lambda proxy result as the HTTP response API Gateway would send. */
export function writeProxyResult(res: ServerResponse, result: ProxyResult, extraHeaders: Record<string, string> = {}): void {
  const out: Record<string, string | string[]> = { ...extraHeaders };
  const lower = (k: string) => k.toLowerCase();
  const set = (k: string, v: string | string[]) => {
    for (const existing of Object.keys(out)) if (lower(existing) === lower(k)) delete out[existing];
    out[k] = v;
  };
  for (const [k, v] of Object.entries(result.headers ?? {})) set(k, String(v));
  // API Gateway: when a key is in both, only multiValueHeaders' values survive.
  for (const [k, vs] of Object.entries(result.multiValueHeaders ?? {})) set(k, vs.map(String));
  const body =
    result.body === undefined || result.body === null
      ? Buffer.alloc(0)
      : Buffer.from(result.body, result.isBase64Encoded ? "base64" : "utf8");
  if (!Object.keys(out).some((k) => lower(k) === "content-type") && body.length) out["content-type"] = "application/json";
  res.writeHead(result.statusCode, out);
  res.end(body);
}

function sendJson(res: ServerResponse, status: number, body: unknown, extra: Record<string, string> = {}): void {
  const s = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(s), ...extra });
  res.end(s);
}

function sameSecret(a: string, b: string): boolean {
  // Hash first so lengths match and timingSafeEqual cannot leak the key's length.
  const ha = createHash("sha256").update(a).digest();
  const hb = createHash("sha256").update(b).digest();
  return timingSafeEqual(ha, hb);
}

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer | "too-large"> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) return "too-large";
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** A node:http request listener that hands each request to a Lambda proxy handler, like API Gateway REST v1. */
export function createHttpListener(opts: HttpAdapterOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const stage = opts.stage ?? "local";
  const resources = opts.resources ?? DEFAULT_RESOURCES;
  const maxBody = opts.maxBodyBytes ?? 10 * 1024 * 1024;
  const timeoutMs = opts.timeoutMs ?? 29_000;

  /** The adapter's own refusal: a page on a browser path, API Gateway's JSON elsewhere. */
  function refuse(res: ServerResponse, path: string, status: number, message: string, extra: Record<string, string>): void {
    if (!opts.browserError?.isBrowserPath(path)) return sendJson(res, status, { message }, extra);
    const p = opts.browserError.page(status, extra);
    res.writeHead(status, { ...p.headers, "content-length": Buffer.byteLength(p.body) });
    res.end(p.body);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    const extra: Record<string, string> = { "x-amzn-requestid": requestId };
    if (opts.now) extra["x-cbm-now"] = opts.now().toISOString();
    const { path, query } = splitTarget(req.url ?? "/");
    if (opts.gate && !opts.gate.ownHost(req)) {
      // 421 Misdirected Request: this server does not answer for that name. Nothing of the request is read.
      refuse(res, path, 421, "Misdirected Request", extra);
      return;
    }
    const body = await readBody(req, maxBody);
    if (body === "too-large") {
      refuse(res, path, 413, "Request Too Long", extra);
      return;
    }
    const method = (req.method ?? "GET").toUpperCase();
    if (opts.gate && !opts.gate.allow(method, path, req.socket.remoteAddress ?? "")) {
      refuse(res, path, 429, "Too Many Requests", { ...extra, "Retry-After": "60" });
      return;
    }
    if (!path.startsWith("/")) {
      // An absolute-form or `*` target: API Gateway serves paths only.
      sendJson(res, 400, { message: "Bad Request" }, extra);
      return;
    }
    const local = opts.localRoutes?.[`${method} ${path}`];
    if (local || path.startsWith("/_local/")) {
      const given = req.headers["x-api-key"];
      if (!opts.apiKey || typeof given !== "string" || !sameSecret(given, await opts.apiKey())) {
        sendJson(res, 403, { message: "Forbidden" }, extra);
        return;
      }
      if (!local) {
        sendJson(res, 404, { message: `No local route ${method} ${path}` }, extra);
        return;
      }
      const r = await local({ method, path, query });
      sendJson(res, r.status, r.body, extra);
      return;
    }
    const event = toProxyEvent(req, body, { stage, resources, requestId, ...(opts.now ? { now: opts.now() } : {}) });
    let timer: NodeJS.Timeout | undefined;
    try {
      const result = await Promise.race([
        opts.handler(event, lambdaContext(requestId, timeoutMs)),
        new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), timeoutMs))),
      ]);
      if (result === "timeout") {
        sendJson(res, 504, { message: "Endpoint request timed out" }, extra);
        return;
      }
      if (!result || typeof result.statusCode !== "number") {
        // API Gateway's answer to a malformed proxy response.
        sendJson(res, 502, { message: "Internal server error" }, extra);
        return;
      }
      writeProxyResult(res, result, extra);
    } finally {
      clearTimeout(timer);
    }
  }

  return (req, res) => {
    handle(req, res).catch((err: unknown) => {
      opts.onError?.(err, {} as ProxyEvent);
      if (!res.headersSent) sendJson(res, 502, { message: "Internal server error" });
      else res.destroy();
    });
  };
}

export interface HttpServer {
  url: string;
  port: number;
  server: Server;
  /** Stops accepting, lets in-flight requests finish (up to `graceMs`), then closes every connection. */
  close(graceMs?: number): Promise<void>;
}

/** Serves a listener on 127.0.0.1 (port 0 picks a free one). */
export async function serveHttp(
  listener: (req: IncomingMessage, res: ServerResponse) => void,
  opts: { port: number; host?: string },
): Promise<HttpServer> {
  const host = opts.host ?? "127.0.0.1";
  const server = createServer(listener);
  // Keep-alive sockets must not hold the process open after close().
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}`,
    port,
    server,
    close(graceMs = 5_000) {
      closing ??= new Promise<void>((resolve) => {
        const timer = setTimeout(() => server.closeAllConnections(), graceMs);
        server.close(() => {
          clearTimeout(timer);
          resolve();
        });
        server.closeIdleConnections();
      });
      return closing;
    },
  };
}
