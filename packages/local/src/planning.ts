import type { BlockMarket } from "@cbm/core";
import type { RefreshableSecretSource } from "@cbm/functions/adapters/secrets-source";
import { createPlanningHandler, PLANNING_PATH, type PlanningHandlerDeps } from "@cbm/functions/http/create-planning-handler";
import { DEFAULT_RESOURCES } from "./api-gateway-paths";
import type { ProxyHandler } from "./http-adapter";

/**
 * The planning API's resources, listed before the block API's so that `/requests/{id}` wins over `/{PK}/…` for the
 * same number of segments, as API Gateway's resource tree does (a static segment beats a path parameter).
 */
export const PLANNING_RESOURCES = ["/offerings", "/requests", "/requests/{id}", "/reports/spend"];

export interface LocalPlanningDeps extends Omit<PlanningHandlerDeps, "secrets" | "market"> {
  market: BlockMarket;
  secrets: RefreshableSecretSource;
}

/**
 * Local mode's stand-in for API Gateway's two integrations: planning paths go to the planning function, everything
 * else to the block API, with the resource list both need.
 */
export function withPlanning(api: ProxyHandler, deps: LocalPlanningDeps): { handler: ProxyHandler; resources: string[] } {
  const planning = createPlanningHandler(deps);
  const handler: ProxyHandler = (event: { path?: unknown }, context) =>
    typeof event.path === "string" && PLANNING_PATH.test(event.path) ? planning(event as never, context) : api(event, context);
  return { handler, resources: [...PLANNING_RESOURCES, ...DEFAULT_RESOURCES] };
}
