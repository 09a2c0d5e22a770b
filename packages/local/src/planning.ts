import { PLANNING_PATH } from "@cbm/functions";
import { PLANNING_RESOURCES as PLANNING_MANIFEST_RESOURCES } from "@cbm/functions/contracts";
import { DEFAULT_RESOURCES } from "./api-gateway-paths";
import type { ProxyHandler } from "./http-adapter";

/**
 * The planning API's resources, listed before the block API's so that `/requests/{id}` wins over `/{PK}/…` for the
 * same number of segments, as API Gateway's resource tree does (a static segment beats a path parameter).
 */
export const PLANNING_RESOURCES: readonly string[] = PLANNING_MANIFEST_RESOURCES;

/** Every resource local mode maps a path to, as API Gateway's resource tree does: the planning API's, then the rest. */
export const LOCAL_RESOURCES: readonly string[] = [...PLANNING_RESOURCES, ...DEFAULT_RESOURCES];

/**
 * Local mode's stand-in for API Gateway's two integrations: planning paths go to the planning function (built by the
 * same assembly as the Lambda's), everything else to the block API, with the resource list both need.
 */
export function withPlanning(api: ProxyHandler, planning: ProxyHandler): { handler: ProxyHandler; resources: string[] } {
  const handler: ProxyHandler = (event: { path?: unknown }, context) =>
    typeof event.path === "string" && PLANNING_PATH.test(event.path) ? planning(event as never, context) : api(event, context);
  return { handler, resources: [...LOCAL_RESOURCES] };
}
