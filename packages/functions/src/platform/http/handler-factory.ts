import middy from "@middy/core";
import httpErrorHandler from "@middy/http-error-handler";
import httpHeaderNormalizer from "@middy/http-header-normalizer";
import type { RefreshableSecretSource } from "../ports/secret-source";
import { accessLog, type AccessLogger } from "../observability/access-log";
import type { Metrics } from "../observability/metrics";
import { apiKeyAuth } from "./auth";
import { errorMapper, type ErrorRenderer } from "./error-mapper";
import type { IdempotencyStore } from "./idempotency";
import { actor } from "./actor";
import { bodyMediaType } from "./body-media-type";
import { bodySize } from "./body-size";
import { formBody } from "./form-body";
import { jsonBodyParser, jsonText } from "./json-body";
import { createSecretRedactor } from "./redaction";
import { routeable } from "./routeable";
import { createRouter, idempotentRoutes, routeOf, routeTemplate } from "./routing";
import type { AnyRoute, ApiEvent, ApiResult } from "./types";

export interface HttpHandlerOptions {
  routes: AnyRoute[];
  secrets: RefreshableSecretSource;
  /** Errors, and with `info` one access line per request (never headers or bodies, so never the API key). */
  logger: AccessLogger;
  /** Requests, Latency, ApiErrors{class}; flushed once per request. */
  metrics?: Pick<Metrics, "add" | "flush">;
  /** Largest request body, in decoded bytes; default MAX_BODY_BYTES (64 KiB). */
  maxBodyBytes?: number;
  /** Makes write routes honour Idempotency-Key; without it the header is ignored. */
  idempotency?: IdempotencyStore;
  /**
   * The browser routes' handler: no path it serves takes the API key (an unknown one is a 404 page, HEAD or OPTIONS
   * a 405 page, never the key check's 403), and errors are written by `errorPages` instead of as JSON.
   */
  errorPages?: ErrorRenderer;
}

/**
 * The one Middy shape of every HTTP entry point, one job per middleware. Outermost: the access log and metrics.
 * Before, in order: header names lower-cased → API key → a routeable method and path → body size (413) → body
 * media type (415) → actor → form fields or JSON (@middy/http-json-body-parser). The actor comes before the parsers
 * because CBM has always refused a bad `x-cbm-actor` before malformed JSON. Then http-router dispatches to the
 * route, which validates its input with its zod schemas and runs. On error: errorMapper (the only error→HTTP
 * mapping) then httpErrorHandler, which writes the response.
 */
export function createHttpHandler({ routes, secrets, logger, metrics, maxBodyBytes, idempotency, errorPages }: HttpHandlerOptions) {
  const redactor = createSecretRedactor();
  const selfAuthenticated = (e: ApiEvent) => errorPages !== undefined || routeOf(routes, e.httpMethod, e.path)?.auth === "self";
  const takesForm = (e: ApiEvent) => routeOf(routes, e.httpMethod, e.path)?.form === true;
  // Middy runs after/onError middlewares in reverse order of registration: the access log is registered first so it
  // runs last and sees the final response; httpErrorHandler next, so it writes error responses just before that,
  // and errorMapper just after it so it runs immediately before httpErrorHandler.
  const handler = middy<ApiEvent, ApiResult>({ timeoutEarlyInMillis: 0 })
    .use(
      accessLog<ApiEvent, ApiResult>({
        logger,
        ...(metrics ? { metrics } : {}),
        routeOf: (method, path) => routeTemplate(routes, method, path),
        scrub: redactor.redact,
      }),
    )
    .use(httpErrorHandler({ logger: false }))
    .use(errorMapper(logger, errorPages ? { render: errorPages } : {}))
    .use(httpHeaderNormalizer())
    .use(apiKeyAuth(secrets, redactor, { selfAuthenticated }))
    .use(routeable(routes))
    .use(bodySize(maxBodyBytes))
    .use(bodyMediaType(takesForm))
    .use(actor(selfAuthenticated))
    .use(formBody(takesForm))
    .use(jsonText())
    .use(jsonBodyParser())
    .handler(createRouter(routes, idempotency));
  builtRoutes.set(handler, idempotentRoutes(routes, idempotency));
  return handler;
}

const builtRoutes = new WeakMap<object, string[]>();

/**
 * "METHOD /path" of each route of `handler` (built by createHttpHandler) whose retries with the same Idempotency-Key
 * replay the first response: what the assembly test compares across entry points.
 */
export function idempotentRoutesOf(handler: object): string[] {
  const routes = builtRoutes.get(handler);
  if (!routes) throw new Error("idempotentRoutesOf: not a handler built by createHttpHandler");
  return [...routes];
}
