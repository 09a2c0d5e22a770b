import type { APIGatewayProxyEvent, APIGatewayProxyResult } from "aws-lambda";
import type { z } from "zod";

export const HTTP_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

/**
 * An API Gateway REST (v1) proxy event, as API Gateway and local mode send it. As in Middy's own parsers, `body`
 * holds what the body middlewares made of it: the text, then the parsed JSON or form fields (undefined for none).
 * `actor` is who is acting, named by the actor middleware (a self-authenticated route renames it once it has
 * checked its link or session); history and the access log read it.
 */
export type ApiEvent = Omit<APIGatewayProxyEvent, "body"> & { body: unknown; actor?: string };
export type ApiResult = APIGatewayProxyResult;

export interface RouteRequest<P, Q, B = unknown> {
  params: P;
  query: Q;
  /** The body as the route's `body` schema parsed it; without a schema, the body as sent (parsed JSON or form fields). */
  body: B;
  actor: string;
  /** Lower-cased header names (http-header-normalizer). */
  headers: Record<string, string | undefined>;
  event: ApiEvent;
}

export interface RouteResponse {
  statusCode: number;
  /** Serialized as JSON. */
  body: unknown;
  headers?: Record<string, string>;
  /** Sent as it is instead of `body` (HTML pages, CSV); `headers` then carry its Content-Type. */
  raw?: string;
}

/** Documentation of one response, for openapi.json. */
export interface ResponseDoc {
  description: string;
  /** A component name under #/components/schemas, or `array:<name>`. */
  schema?: string;
  headers?: Record<string, { description: string; schema?: { type: string } }>;
}

export interface QueryParamDoc {
  name: string;
  description: string;
  schema: Record<string, unknown>;
}

export interface Route<P = Record<string, never>, Q = Record<string, never>, B = unknown> {
  method: HttpMethod;
  /** http-router syntax: `/{PK}/history`. */
  path: string;
  operationId: string;
  summary: string;
  params?: z.ZodType<P>;
  query?: z.ZodType<Q>;
  /** The body's schema: a body it refuses is a 400 naming each field, before the handler runs. */
  body?: z.ZodType<B>;
  queryDocs?: QueryParamDoc[];
  /** Component name of the JSON request body, for the docs; `required` when the body must be present. */
  requestBody?: { schema: string; required: boolean };
  /** Headers the route reads, for the docs. */
  requestHeaders?: QueryParamDoc[];
  responses: Record<number, ResponseDoc>;
  /**
   * `self`: the route authenticates the request itself (a signed approval link, a console session cookie), so the
   * API key check lets it through. Default `api-key`.
   */
  auth?: "api-key" | "self";
  /** Takes an HTML form body (application/x-www-form-urlencoded), parsed into `body` as string fields. */
  form?: boolean;
  /** A write that honours Idempotency-Key: a retry with the same key gets the first response instead of a second write. */
  idempotent?: boolean;
  handler(req: RouteRequest<P, Q, B>): Promise<RouteResponse>;
}

/** A route without its handler, as its wing declares it (route-table.ts): what API Gateway and openapi.json know of it. */
export type RouteContract<P = Record<string, never>, Q = Record<string, never>, B = unknown> = Omit<Route<P, Q, B>, "handler">;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- variance: contracts keep their own P/Q/B
export type AnyContract = RouteContract<any, any, any>;

// A heterogeneous list of routes; each handler was type-checked against its own P, Q and B by bindRoutes.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- variance: handlers take their own P/Q/B
export type AnyRoute = Route<any, any, any>;
