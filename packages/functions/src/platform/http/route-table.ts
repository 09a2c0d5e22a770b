import type { z } from "zod";
import type { AnyContract, AnyRoute, RouteRequest, RouteResponse } from "./types";

/**
 * A route as its wing declares it, once: method, path, auth, idempotent, form, schemas and documented answers. Its
 * operationId is its key in the wing's table, and its handler is bound to that key (bindRoutes), so the table is
 * all that API Gateway (the manifests), the router and openapi.json read, and nothing is spelled twice.
 */
export type RouteDeclaration = Omit<AnyContract, "operationId">;

/** A wing's declarations, each with its key as its operationId. */
export type RouteTable<T extends Record<string, RouteDeclaration>> = { [K in keyof T]: T[K] & { operationId: K & string } };

/** The table of a wing's routes, in the order the router tries them and the documents list them. */
export function routeTable<T extends Record<string, RouteDeclaration>>(declarations: T): RouteTable<T> {
  return Object.fromEntries(Object.entries(declarations).map(([operationId, d]) => [operationId, { ...d, operationId }])) as RouteTable<T>;
}

type Parsed<D, K extends string, Else> = D extends { [k in K]: z.ZodType } ? z.output<D[K]> : Else;

/** What a declared route's handler takes: its params, query and body as its own schemas parse them. */
export type HandlerOf<D> = (
  req: RouteRequest<Parsed<D, "params", Record<string, never>>, Parsed<D, "query", Record<string, never>>, Parsed<D, "body", unknown>>,
) => Promise<RouteResponse>;

/**
 * One handler per declared route, by its key; `undefined` when this function does not serve the route (its
 * dependency was not given). A route without a key, or a key without a route, does not compile.
 */
export type RouteHandlers<T> = { [K in keyof T]: HandlerOf<T[K]> | undefined };

/** The routes of a table with their handlers, in the table's order, leaving out those this function does not serve. */
export function bindRoutes<T extends Record<string, AnyContract>>(table: T, handlers: RouteHandlers<T>): AnyRoute[] {
  return Object.entries(table).flatMap(([name, contract]) => {
    const handler = handlers[name as keyof T];
    return handler ? [{ ...contract, handler } as AnyRoute] : [];
  });
}

/** "METHOD /path" of every route of the tables, in order: what API Gateway, local mode and the tests follow. */
export function manifestOf(...tables: Record<string, AnyContract>[]): readonly string[] {
  return tables.flatMap((t) => Object.values(t).map((c) => `${c.method} ${c.path}`));
}

/** The resource paths of a manifest, each once, in manifest order. */
export function resourcesOf(routes: readonly string[]): readonly string[] {
  return [...new Set(routes.map((r) => r.slice(r.indexOf(" ") + 1)))];
}
