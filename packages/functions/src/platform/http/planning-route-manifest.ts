/*
 * Every route of the planning function (offerings, capacity requests, reports), as "METHOD /path/{param}": the list
 * that its router (a test checks it), API Gateway's methods (stacks/planning.ts) and local mode's resources follow.
 * Free of imports so the stacks can read it without the SDK. The block API's routes are in route-manifest.ts.
 */
export const PLANNING_ROUTES = [
  "GET /offerings",
  "GET /requests",
  "POST /requests",
  "GET /requests/{id}",
  "PATCH /requests/{id}",
  "DELETE /requests/{id}",
  "GET /reports/spend",
  "GET /reports/usage",
] as const;

export type PlanningRoute = (typeof PLANNING_ROUTES)[number];

/** The resource paths of the planning routes, each once, in manifest order. */
export const PLANNING_RESOURCES: readonly string[] = [...new Set(PLANNING_ROUTES.map((r) => r.slice(r.indexOf(" ") + 1)))];
