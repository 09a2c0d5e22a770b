import type { BlockMarket } from "@cbm/core";
import type { RefreshableSecretSource } from "../adapters/secrets-source";
import type { AccessLogger } from "../observability/access-log";
import { createLogger } from "../observability/logger";
import type { Metrics } from "../observability/metrics";
import { createHttpHandler } from "./handler-factory";
import type { IdempotencyStore } from "./idempotency";
import { offeringRoutes } from "./offering-routes";
import type { AnyRoute } from "./types";

export interface PlanningHandlerDeps {
  market: BlockMarket;
  secrets: RefreshableSecretSource;
  /** Region searched when a query names none: where CBM runs. */
  defaultRegion: string;
  logger?: AccessLogger;
  metrics?: Pick<Metrics, "add" | "flush">;
  idempotency?: IdempotencyStore;
  /** More planning routes (capacity requests, reports), composed by the caller. */
  extraRoutes?: AnyRoute[];
}

/** The planning paths; API Gateway and local mode send these to the planning function, everything else to the API. */
export const PLANNING_PATH = /^\/(offerings|requests|reports)(\/|$)/;

/**
 * The planning API (offerings, capacity requests, reports) as its own Middy handler with the same shape, key check
 * and error mapping as the block API. It is a separate function because it needs the EC2 client, which would push
 * the block API's bundle over its size budget.
 */
export function createPlanningHandler(deps: PlanningHandlerDeps) {
  const routes: AnyRoute[] = [...offeringRoutes({ market: deps.market, defaultRegion: deps.defaultRegion }), ...(deps.extraRoutes ?? [])];
  return createHttpHandler({
    routes,
    secrets: deps.secrets,
    logger: deps.logger ?? createLogger({ service: "cbm-planning" }),
    ...(deps.metrics ? { metrics: deps.metrics } : {}),
    ...(deps.idempotency ? { idempotency: deps.idempotency } : {}),
  });
}
