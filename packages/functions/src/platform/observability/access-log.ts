import type { MiddlewareObj, Request } from "@middy/core";
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from "aws-lambda";
import type { Logger } from "./logger";
import { ALARMED_METRICS, type Metrics } from "./metrics";

/** What the access log needs of a logger: `info` for the line itself (a logger without it still logs 5xx). */
export type AccessLogger = Pick<Logger, "error" | "warn"> & Partial<Pick<Logger, "info">>;

export interface AccessLogOptions {
  logger: AccessLogger;
  /** Requests, Latency and ApiErrors{class}; flushed here, once per invocation. */
  metrics?: Pick<Metrics, "add" | "flush">;
  /** The route template (`/{PK}/history`) a method and path match, for the `route` field. */
  routeOf?: (method: string, path: string) => string | undefined;
  /** Milliseconds, for the latency; default Date.now. */
  now?: () => number;
  /** Scrubs secrets (the API key a client pasted into the path) from the logged path. */
  scrub?: (text: string) => string;
}

type Event = Omit<APIGatewayProxyEvent, "body"> & { actor?: string };

/**
 * One line per request: method, route template, status, latency, request id, actor, and the error code of an error
 * response. It reads neither headers nor the body, and scrubs the path, so the API key cannot reach it. Register
 * it first: Middy runs `after` and `onError` in reverse order, so it sees the final response, httpErrorHandler's
 * included.
 */
export function accessLog<E extends Event, R extends APIGatewayProxyResult>(opts: AccessLogOptions): MiddlewareObj<E, R> {
  const now = opts.now ?? Date.now;
  const started = new WeakMap<object, number>();

  const write = (request: Request<E, R, Error, Context>) => {
    const event = (request.event ?? {}) as Partial<Event>;
    const status = request.response?.statusCode ?? 500;
    const latencyMs = Math.max(0, now() - (started.get(request) ?? now()));
    const method = typeof event.httpMethod === "string" && /^[A-Za-z]{1,16}$/.test(event.httpMethod) ? event.httpMethod.toUpperCase() : "?";
    // A 403 never learned whether its path holds the key (a cold start may not have fetched it yet), so it has none.
    const rawPath = typeof event.path === "string" && status !== 403 ? event.path : undefined;
    const path = rawPath === undefined ? undefined : (opts.scrub ? opts.scrub(rawPath) : rawPath).slice(0, 256);
    const awsRequestId = request.context?.awsRequestId;
    const line: Record<string, unknown> = {
      method,
      route: (typeof event.path === "string" && event.path.length <= 2048 && opts.routeOf?.(method, event.path)) || null,
      path,
      status,
      latencyMs,
      requestId: event.requestContext?.requestId ?? awsRequestId,
      ...(awsRequestId && awsRequestId !== event.requestContext?.requestId ? { awsRequestId } : {}),
      ...(event.actor ? { actor: event.actor } : {}),
      ...(status >= 400 ? { errorCode: errorCodeOf(status, request.response?.body) } : {}),
    };
    if (status >= 500) opts.logger.error("request", line);
    else opts.logger.info?.("request", line);

    if (opts.metrics) {
      opts.metrics.add("Requests", 1);
      opts.metrics.add("Latency", latencyMs, "Milliseconds");
      if (status >= 400) opts.metrics.add(ALARMED_METRICS.apiErrors, 1, "Count", { class: status >= 500 ? "5xx" : "4xx" });
      opts.metrics.flush();
    }
  };

  return {
    before: async (request) => void started.set(request, now()),
    after: async (request) => write(request),
    onError: async (request) => write(request),
  };
}

/** The `code` of CBM's JSON error body; 403 has API Gateway's body, which carries none. */
function errorCodeOf(status: number, body: unknown): string {
  if (typeof body === "string") {
    try {
      const code = (JSON.parse(body) as { code?: unknown }).code;
      if (typeof code === "string") return code;
    } catch {
      // not JSON: fall through to the status
    }
  }
  return status === 403 ? "FORBIDDEN" : `HTTP_${status}`;
}
