/*
 * Every route of the API, as "METHOD /path/{param}": the one list that the router (a test checks the route table
 * against it), API Gateway's resources and methods (stacks/api.ts), local mode's HTTP adapter (the resources it maps
 * paths to) and the OpenAPI document follow. Free of imports so the stacks can read it without the SDK.
 */

/** The original README's routes plus CBM's extras. */
export const API_ROUTES = [
  "GET /",
  "POST /",
  "GET /openapi.json",
  "GET /{PK}",
  "PUT /{PK}",
  "DELETE /{PK}",
  "PATCH /{PK}",
  "POST /{PK}/deny",
  "POST /{PK}/reset-spend",
  "GET /{PK}/history",
] as const;

export type ApiRoute = (typeof API_ROUTES)[number];

/** The resource paths of the routes, each once, in manifest order. */
export const API_RESOURCES: readonly string[] = [...new Set(API_ROUTES.map((r) => r.slice(r.indexOf(" ") + 1)))];

/**
 * The browser pages: approval links and the console. They authenticate each request themselves (a signed link
 * token, or a console session opened with the API key) and are served by a function of their own
 * (composition/handlers/web.ts), so the JSON API's bundle carries none of their code.
 */
export const WEB_ROUTES = [
  "GET /link/{token}",
  "POST /link/{token}",
  "GET /console",
  "POST /console/session",
  "POST /console/signout",
  "GET /console/blocks",
  "GET /console/blocks/{PK}",
  "POST /console/blocks/{PK}/{action}",
  "GET /console/requests",
  "POST /console/requests/{id}/{action}",
  "GET /console/spend",
  "GET /console/spend.csv",
] as const;

/** The resource paths of the browser pages, each once. */
export const WEB_RESOURCES: readonly string[] = [...new Set(WEB_ROUTES.map((r) => r.slice(r.indexOf(" ") + 1)))];
