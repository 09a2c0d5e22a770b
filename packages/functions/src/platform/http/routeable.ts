import type { MiddlewareObj } from "@middy/core";
import { RouteNotFoundError } from "../errors";
import { unmatched } from "./routing";
import type { AnyRoute, ApiEvent, ApiResult } from "./types";

/**
 * Refuses an event the router cannot even classify (no path, an absurd method) as 404/405 instead of the router's
 * plain Error (a 500), before anything reads the body. The method is upper-cased for the router, and path
 * parameters come from matching the path against the route table, never from the caller.
 */
export function routeable(routes: AnyRoute[]): MiddlewareObj<ApiEvent, ApiResult> {
  return {
    before: async ({ event }) => {
      const method = typeof event.httpMethod === "string" ? event.httpMethod.toUpperCase() : "";
      const path = typeof event.path === "string" ? event.path : "";
      if (!path.startsWith("/") || path.length > 2048) throw new RouteNotFoundError(method, path);
      if (!/^[A-Z]{1,16}$/.test(method)) throw unmatched(routes, method, path);
      event.httpMethod = method;
      event.pathParameters = null;
    },
  };
}
