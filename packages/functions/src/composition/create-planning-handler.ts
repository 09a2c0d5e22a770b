import type { BlockMarket, BlockStore, Clock, HistoryStore, Ids, RequestStore } from "@cbm/core";
import { systemClock } from "../adapters/clock";
import { createUlidIds } from "../adapters/ids";
import { createRequestUseCases } from "../requests/use-cases/request-use-cases";
import type { RefreshableSecretSource } from "../adapters/secrets-source";
import type { AccessLogger } from "../platform/observability/access-log";
import { createLogger } from "../platform/observability/logger";
import type { Metrics } from "../platform/observability/metrics";
import { createHttpHandler } from "../platform/http/handler-factory";
import type { IdempotencyStore } from "../platform/http/idempotency";
import { offeringRoutes } from "../requests/offering-routes";
import type { SpendReportDeps } from "../reports/spend";
import { reportRoutes } from "../requests/report-routes";
import { requestRoutes } from "../requests/request-routes";
import type { AnyRoute } from "../platform/http/types";
import { PLANNING_RESOURCES } from "../contracts/routes";

export interface PlanningHandlerDeps {
  market: BlockMarket;
  /** Capacity requests; without it the /requests routes are absent. */
  requests?: RequestStore;
  /** Managed blocks and their history, for GET /reports/spend (with `requests`); without them the route is absent. */
  store?: Pick<BlockStore, "list">;
  history?: Pick<HistoryStore, "list">;
  /** Usage samples, for used instance-hours and GET /reports/usage. */
  usage?: SpendReportDeps["usage"];
  clock?: Clock;
  ids?: Ids;
  secrets: RefreshableSecretSource;
  /** Region searched when a query names none: where CBM runs. */
  defaultRegion: string;
  logger?: AccessLogger;
  metrics?: Pick<Metrics, "add" | "flush">;
  idempotency?: IdempotencyStore;
  /** More planning routes (capacity requests, reports), composed by the caller. */
  extraRoutes?: AnyRoute[];
}

/** The first segments of the planning routes (offerings, requests, reports), from the planning route tables. */
const PLANNING_ROOTS = [...new Set(PLANNING_RESOURCES.map((resource) => resource.split("/")[1]!))];

/** The planning paths; API Gateway and local mode send these to the planning function, everything else to the API. */
export const PLANNING_PATH = new RegExp(`^/(${PLANNING_ROOTS.join("|")})(/|$)`);

/**
 * The planning API (offerings, capacity requests, reports) as its own Middy handler with the same shape, key check
 * and error mapping as the block API. It is a separate function because it needs the EC2 client, which would push
 * the block API's bundle over its size budget.
 */
export function createPlanningHandler(deps: PlanningHandlerDeps) {
  return createHttpHandler({
    routes: planningRoutes(deps),
    secrets: deps.secrets,
    logger: deps.logger ?? createLogger({ service: "cbm-planning" }),
    ...(deps.metrics ? { metrics: deps.metrics } : {}),
    ...(deps.idempotency ? { idempotency: deps.idempotency } : {}),
  });
}

/** The planning function's route table (PLANNING_ROUTES lists the same, for API Gateway and local mode). */
export function planningRoutes(deps: Omit<PlanningHandlerDeps, "secrets" | "logger" | "metrics" | "idempotency">): AnyRoute[] {
  const clock = deps.clock ?? systemClock;
  const ids = deps.ids ?? createUlidIds(clock);
  const routes: AnyRoute[] = [
    ...offeringRoutes({ market: deps.market, defaultRegion: deps.defaultRegion }),
    ...(deps.requests
      ? requestRoutes(createRequestUseCases({ requests: deps.requests, clock, ids, defaultRegion: deps.defaultRegion }))
      : []),
    ...(deps.requests && deps.store && deps.history
      ? reportRoutes({
          store: deps.store,
          history: deps.history,
          requests: deps.requests,
          now: () => clock.now(),
          ...(deps.usage ? { usage: deps.usage } : {}),
        })
      : []),
    ...(deps.extraRoutes ?? []),
  ];
  return routes;
}
