import type { BlockStore, Clock, HistoryStore, Ids } from "@cbm/core";
import { systemClock } from "../adapters/clock";
import { createUlidIds } from "../adapters/ids";
import type { RefreshableSecretSource } from "../adapters/secrets-source";
import { blockRoutes } from "./block-routes";
import { createHttpHandler } from "./handler-factory";
import { openApiRoute } from "./openapi";
import type { AnyRoute } from "./types";
import { createLogger, type Logger } from "../observability/logger";
import { createBlockUseCases } from "../use-cases/blocks";

export interface ApiHandlerDeps {
  store: BlockStore;
  history: HistoryStore;
  secrets: RefreshableSecretSource;
  clock?: Clock;
  ids?: Ids;
  logger?: Pick<Logger, "error" | "warn">;
  /** Public base URL, for absolute Link headers and the OpenAPI `servers` entry. */
  apiUrl?: string;
  maxBodyBytes?: number;
}

/** Builds the API's Middy handler from ports; the Lambda below, tests and local mode all go through this. */
export function createApiHandler(deps: ApiHandlerDeps) {
  const clock = deps.clock ?? systemClock;
  const ids = deps.ids ?? createUlidIds(clock);
  const blocks = createBlockUseCases({ store: deps.store, history: deps.history, clock, ids });
  const routes: AnyRoute[] = [];
  routes.push(openApiRoute(() => routes, { serverUrl: deps.apiUrl }), ...blockRoutes(blocks, { apiUrl: deps.apiUrl }));
  return createHttpHandler({ routes, secrets: deps.secrets, logger: deps.logger ?? createLogger({ service: "cbm-api" }), maxBodyBytes: deps.maxBodyBytes });
}

