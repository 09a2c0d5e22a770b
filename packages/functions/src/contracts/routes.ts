/*
 * The routes behind API Gateway, per function, derived from the tables in which each wing declares its routes
 * once (method, path, auth, schemas, answers). API Gateway's resources and methods (stacks/api.ts,
 * stacks/planning.ts), local mode's resources and openapi.json follow these lists; the functions bind a handler to
 * every entry of the same tables.
 */
import { OFFERING_CONTRACTS, REPORT_CONTRACTS, REQUEST_CONTRACTS } from "../requests/planning-contracts";
import { BLOCK_CONTRACTS } from "../blocks/block-contracts";
import { CONSOLE_CONTRACTS } from "../approvals/console/console-contracts";
import { LINK_CONTRACTS } from "../approvals/links/link-contracts";
import { OPENAPI_CONTRACTS } from "../platform/http/openapi-contract";
import { manifestOf, resourcesOf } from "../platform/http/route-table";
import type { AnyContract } from "../platform/http/types";

/** The block API function's tables: its OpenAPI document and the blocks (the original README's routes and CBM's). */
export const API_TABLES: readonly Record<string, AnyContract>[] = [OPENAPI_CONTRACTS, BLOCK_CONTRACTS];
/** The planning function's tables: offerings, capacity requests, reports (it needs the EC2 client; the API does not). */
export const PLANNING_TABLES: readonly Record<string, AnyContract>[] = [OFFERING_CONTRACTS, REQUEST_CONTRACTS, REPORT_CONTRACTS];
/**
 * The browser pages' tables: approval links and the console. They authenticate each request themselves (a signed
 * link token, or a console session opened with the API key) and are served by a function of their own, so the
 * JSON API's bundle carries none of their code.
 */
export const WEB_TABLES: readonly Record<string, AnyContract>[] = [LINK_CONTRACTS, CONSOLE_CONTRACTS];

/** Every route of the block API, as "METHOD /path/{param}". */
export const API_ROUTES = manifestOf(...API_TABLES);
/** The block API's resource paths, each once, in manifest order. */
export const API_RESOURCES = resourcesOf(API_ROUTES);
/** Every route of the planning function. */
export const PLANNING_ROUTES = manifestOf(...PLANNING_TABLES);
export const PLANNING_RESOURCES = resourcesOf(PLANNING_ROUTES);
/** Every browser page. */
export const WEB_ROUTES = manifestOf(...WEB_TABLES);
export const WEB_RESOURCES = resourcesOf(WEB_ROUTES);
/**
 * What API Gateway forwards to the web function: the pages' own methods, and `ANY` on each of their resources, so
 * any other method (a link preview's HEAD, a browser's OPTIONS) reaches the function's 405 page with `Allow`, as in
 * local mode, instead of API Gateway's own 403 "Missing Authentication Token". The declared methods take precedence
 * over `ANY` at the gateway, and the function's router answers from the same tables either way.
 */
export const WEB_GATEWAY_ROUTES: readonly string[] = [...WEB_ROUTES, ...WEB_RESOURCES.map((resource) => `ANY ${resource}`)];

/** The contracts openapi.json documents: the whole JSON API behind the gateway, the planning function's included. */
export function documentedContracts(): AnyContract[] {
  return [...API_TABLES, ...PLANNING_TABLES].flatMap((t) => Object.values(t));
}
