import middy from "@middy/core";
import httpRouterHandler from "@middy/http-router";
import validator from "@middy/validator";
import * as z from "zod";
import { parseOrThrow, ValidationError } from "@cbm/core";
import { MethodNotAllowedError, RouteNotFoundError } from "../errors";
import { IDEMPOTENCY_HEADER, type IdempotencyStore, markReplayed, parseIdempotencyKey, scopedIdempotencyKey } from "./idempotency";
import type { AnyRoute, ApiEvent, ApiResult } from "./types";

// Built once: zod compiles a parser for each schema it creates, far too slow to do per request.
const NO_INPUT = z.object({});
const ANY_QUERY = z.object({}).passthrough();

const patterns = new Map<string, RegExp>();
/** The route template as a RegExp, compiled once per template (it is matched on every request, for logs). */
function pattern(path: string): RegExp {
  let re = patterns.get(path);
  if (!re) {
    const source = path
      .split(/(\{[^/}]+\})/)
      .map((part) => (/^\{[^/}]+\}$/.test(part) ? "[^/]+" : part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
      .join("");
    re = new RegExp(`^${source}/?$`);
    patterns.set(path, re);
  }
  return re;
}

/** The template (`/{PK}/history`) of the route for `method` and `path`, if any: logs and metrics name routes, not paths. */
export function routeTemplate(routes: AnyRoute[], method: string, path: string): string | undefined {
  return routeOf(routes, method, path)?.path;
}

/** The route for `method` and `path`, if any (its auth and body kind decide what the middlewares check). */
export function routeOf(routes: AnyRoute[], method: unknown, path: unknown): AnyRoute | undefined {
  if (typeof method !== "string" || typeof path !== "string") return undefined;
  const m = method.toUpperCase();
  const candidates = routes.filter((r) => r.method === m && pattern(r.path).test(path));
  // As http-router dispatches: a static path (`/console`) wins over a template (`/{PK}`), else the first registered.
  return candidates.find((r) => !r.path.includes("{")) ?? candidates[0];
}

/** 405 with the methods that do exist for the path, or 404 when no route has the path at all. */
export function unmatched(routes: AnyRoute[], method: string, path: string): Error {
  const allow = routes.filter((r) => pattern(r.path).test(path)).map((r) => r.method);
  return allow.length ? new MethodNotAllowedError(method, [...new Set(allow)]) : new RouteNotFoundError(method, path);
}

function decodeParams(raw: Record<string, string | undefined> | null): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw ?? {})) {
    if (typeof v !== "string") continue;
    try {
      out[k] = decodeURIComponent(v);
    } catch {
      throw new ValidationError([{ field: k, message: "is not valid percent-encoding", code: "invalid_format" }]);
    }
  }
  return out;
}

/**
 * The route's input schemas (path params, query, body) as the compiled validation function @middy/validator calls,
 * backed by zod instead of ajv. It keeps what the schemas parsed on the event for the handler. A refusal is thrown
 * as a ValidationError naming each field, rather than reported through the function's shared `errors` property,
 * which two requests validated at once in one process (local mode) could overwrite.
 */
function routeInputValidator(route: AnyRoute) {
  return (event: ApiEvent): boolean => {
    const facts = (event.cbm ??= { body: undefined, actor: "api-key" });
    facts.input = {
      params: parseOrThrow(route.params ?? NO_INPUT, decodeParams(event.pathParameters)),
      query: parseOrThrow(route.query ?? ANY_QUERY, event.queryStringParameters ?? {}),
      body: route.body ? parseOrThrow(route.body, facts.body) : facts.body,
    };
    return true;
  };
}

/**
 * The one handler shape every route shares: read typed input (path params, query, parsed body, actor), call the
 * route, serialize its result as JSON. Route handlers never build error responses; they throw typed errors. A write
 * route called with an Idempotency-Key runs through the idempotency store, which replays the first response.
 */
function toLambdaHandler(route: AnyRoute, idempotency: IdempotencyStore | undefined) {
  return async (event: ApiEvent): Promise<ApiResult> => {
    const facts = event.cbm ?? { body: undefined, actor: "api-key" };
    const { params, query, body } = facts.input ?? { params: {}, query: {}, body: facts.body };
    const headers = (event.headers ?? {}) as Record<string, string | undefined>;
    const execute = async (): Promise<ApiResult> => {
      const result = await route.handler({ params, query, body, actor: facts.actor, headers, event });
      if (result.raw !== undefined) return { statusCode: result.statusCode, headers: { ...result.headers }, body: result.raw };
      return {
        statusCode: result.statusCode,
        headers: { "Content-Type": "application/json", ...result.headers },
        body: JSON.stringify(result.body),
      };
    };
    const clientKey = idempotency ? parseIdempotencyKey(headers[IDEMPOTENCY_HEADER]) : undefined;
    if (!clientKey || !idempotency) return execute();
    const pk = (params as { PK?: string }).PK;
    const key = scopedIdempotencyKey(headers["x-api-key"] ?? "", route.method, route.path, pk, clientKey);
    // Same key, other body or version: another request, refused with 422 rather than answered with the first's result.
    const request = { body: facts.body ?? null, ifMatch: headers["if-match"] ?? null };
    const { result, replayed } = await idempotency.once(key, request, execute);
    return replayed ? markReplayed(result) : result;
  };
}

/** One route as a small Middy pipeline: its input validated by its schemas, then its handler. */
function routePipeline(route: AnyRoute, idempotency: IdempotencyStore | undefined) {
  return middy<ApiEvent, ApiResult>({ timeoutEarlyInMillis: 0 })
    .use(validator({ eventSchema: routeInputValidator(route) }))
    .handler(toLambdaHandler(route, idempotency));
}

/**
 * http-router over the route table, with 404/405 (and `Allow`) computed from the same table. Each route validates
 * its own input, after the router has matched its path parameters.
 */
export function createRouter(routes: AnyRoute[], idempotency?: IdempotencyStore) {
  return httpRouterHandler<ApiEvent, ApiResult>({
    routes: routes.map((r) => ({ method: r.method, path: r.path, handler: routePipeline(r, storeOf(r, idempotency)) })),
    notFoundResponse: ({ method, path }: { method: string; path: string }) => {
      throw unmatched(routes, method, path);
    },
  } as never);
}

/** The idempotency store a route is built with: only write routes that declare `idempotent` get one. */
function storeOf(route: AnyRoute, idempotency: IdempotencyStore | undefined): IdempotencyStore | undefined {
  return route.idempotent ? idempotency : undefined;
}

/** "METHOD /path" of each route that `createRouter(routes, idempotency)` builds with the idempotency store. */
export function idempotentRoutes(routes: AnyRoute[], idempotency: IdempotencyStore | undefined): string[] {
  return routes.filter((r) => storeOf(r, idempotency) !== undefined).map((r) => `${r.method} ${r.path}`);
}

/** Rejects events the router cannot even classify, as 404/405 instead of the router's plain Error (a 500). */
export function checkRouteable(routes: AnyRoute[], event: ApiEvent): void {
  const method = typeof event.httpMethod === "string" ? event.httpMethod.toUpperCase() : "";
  const path = typeof event.path === "string" ? event.path : "";
  if (!path.startsWith("/") || path.length > 2048) throw new RouteNotFoundError(method, path);
  if (!/^[A-Z]{1,16}$/.test(method)) throw unmatched(routes, method, path);
  event.httpMethod = method;
  // Parameters come from matching the path against the route table, never from the caller.
  event.pathParameters = null;
}
