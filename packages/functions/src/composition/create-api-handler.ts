import { handlerBasics } from "./handler-basics";
import type { BlockStore, Clock, HistoryStore, Ids, UsageReader } from "@cbm/core";
import type { RefreshableSecretSource } from "../adapters/secrets-source";
import { blockRoutes } from "../blocks/block-routes";
import { createHttpHandler } from "../platform/http/handler-factory";
import type { IdempotencyStore } from "../platform/http/idempotency";
import { openApiRoute } from "./openapi";
import { documentedContracts } from "../contracts/routes";
import type { AnyRoute } from "../platform/http/types";
import type { AccessLogger } from "../platform/observability/access-log";
import { createLogger } from "../platform/observability/logger";
import type { Metrics } from "../platform/observability/metrics";

/** What every HTTP handler (the JSON API, the browser pages) is built from. */
export interface HttpHandlerDeps {
  store: BlockStore;
  history: HistoryStore;
  /** The API key (the console signs in with it; it never reaches the browser). */
  secrets: RefreshableSecretSource;
  clock?: Clock;
  ids?: Ids;
  /** A full Logger also writes one access line per request; one with only warn/error logs failures only. */
  logger?: AccessLogger;
  /** EMF in Lambda; local mode passes one that feeds its summary. */
  metrics?: Pick<Metrics, "add" | "flush">;
  /** Public base URL: absolute Link headers, the OpenAPI `servers` entry, page links and the origin forms must come from. */
  apiUrl?: string;
  /** Sampled usage for a block's `usage` (API) and its console page (createDynamoUsageStore); without it, none shown. */
  usage?: UsageReader;
}

export interface ApiHandlerDeps extends HttpHandlerDeps {
  maxBodyBytes?: number;
  /** Region given to a block registered without one (first-release scripts): where CBM runs. */
  defaultRegion?: string;
  /** Idempotency-Key support for the write routes (createDynamoIdempotency); without it the header is ignored. */
  idempotency?: IdempotencyStore;
}

/** Builds the API's Middy handler from ports; the Lambda below, tests and local mode all go through this. */
export function createApiHandler(deps: ApiHandlerDeps) {
  const { blocks } = handlerBasics(deps);
  // The document covers the whole API behind the gateway: these routes and the planning function's.
  const routes: AnyRoute[] = [
    ...openApiRoute(documentedContracts, { serverUrl: deps.apiUrl }),
    ...blockRoutes(blocks, { apiUrl: deps.apiUrl }),
  ];
  return createHttpHandler({
    routes,
    secrets: deps.secrets,
    logger: deps.logger ?? createLogger({ service: "cbm-api" }),
    ...(deps.metrics ? { metrics: deps.metrics } : {}),
    maxBodyBytes: deps.maxBodyBytes,
    ...(deps.idempotency ? { idempotency: deps.idempotency } : {}),
  });
}
