import httpRouterHandler from "@middy/http-router";
import type { APIGatewayProxyEvent, Context } from "aws-lambda";
import { MethodNotAllowedError, RouteNotFoundError } from "../errors";
import { IDEMPOTENCY_HEADER, type IdempotencyStore, markReplayed, parseIdempotencyKey, scopedIdempotencyKey } from "./idempotency";
import { parseRouteInput } from "./route-input";
import type { AnyRoute, ApiEvent, ApiResult } from "./types";

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

/**
 * The one handler shape every route shares: validate its input (path params, query, parsed body) with its schemas,
 * call the route with that input and the actor, serialize its result as JSON. Route handlers never build error
 * responses; they throw typed errors. A write route called with an Idempotency-Key runs through the idempotency
 * store, which replays the first response.
 */
function toLambdaHandler(route: AnyRoute, idempotency: IdempotencyStore | undefined) {
  return async (event: ApiEvent): Promise<ApiResult> => {
    const { params, query, body } = parseRouteInput(route, event);
    const headers = (event.headers ?? {}) as Record<string, string | undefined>;
    const execute = async (): Promise<ApiResult> => {
      const result = await route.handler({ params, query, body, actor: event.actor ?? "api-key", headers, event });
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
    const request = { body: event.body ?? null, ifMatch: headers["if-match"] ?? null };
    const { result, replayed } = await idempotency.once(key, request, execute);
    return replayed ? markReplayed(result) : result;
  };
}

/**
 * http-router over the route table, with 404/405 (and `Allow`) computed from the same table. Each route validates
 * its own input, after the router has matched its path parameters.
 */
export function createRouter(
  routes: AnyRoute[],
  idempotency?: IdempotencyStore,
): (event: ApiEvent, context: Context) => Promise<ApiResult> {
  const router = httpRouterHandler<APIGatewayProxyEvent, ApiResult>({
    routes: routes.map((r) => ({ method: r.method, path: r.path, handler: toLambdaHandler(r, storeOf(r, idempotency)) })),
    notFoundResponse: ({ method, path }: { method: string; path: string }) => {
      throw unmatched(routes, method, path);
    },
  } as never);
  // http-router types the event's body as the text API Gateway sends; here it holds what the body middlewares
  // parsed (ApiEvent). The router itself never reads the body.
  return router as unknown as (event: ApiEvent, context: Context) => Promise<ApiResult>;
}

/** The idempotency store a route is built with: only write routes that declare `idempotent` get one. */
function storeOf(route: AnyRoute, idempotency: IdempotencyStore | undefined): IdempotencyStore | undefined {
  return route.idempotent ? idempotency : undefined;
}

/** "METHOD /path" of each route that `createRouter(routes, idempotency)` builds with the idempotency store. */
export function idempotentRoutes(routes: AnyRoute[], idempotency: IdempotencyStore | undefined): string[] {
  return routes.filter((r) => storeOf(r, idempotency) !== undefined).map((r) => `${r.method} ${r.path}`);
}
