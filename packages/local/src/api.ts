import type { BlockStore, Clock, HistoryStore, Ids } from "@cbm/core";
import type { RefreshableSecretSource } from "@cbm/functions/adapters/secrets-source";
import { blockRoutes } from "@cbm/functions/http/block-routes";
import { createHttpHandler } from "@cbm/functions/http/handler-factory";
import { openApiRoute } from "@cbm/functions/http/openapi";
import type { AnyRoute } from "@cbm/functions/http/types";
import type { Logger } from "@cbm/functions/observability/logger";
import { createBlockUseCases } from "@cbm/functions/use-cases/blocks/index";
import type { ProxyHandler } from "./http-adapter";

export interface LocalApiDeps {
  store: BlockStore;
  history: HistoryStore;
  secrets: RefreshableSecretSource;
  clock: Clock;
  ids: Ids;
  logger: Pick<Logger, "error" | "warn">;
  apiUrl?: string;
}

/**
 * The API's Middy handler, composed exactly as handlers/api.ts's createApiHandler does. That module cannot be
 * imported here: its Lambda composition root reads TABLE_NAME and API_KEY_SECRET_ID from process.env at import time.
 * Once createApiHandler lives in a module without a composition root, this becomes a one-line call to it.
 */
export function createLocalApiHandler(deps: LocalApiDeps): ProxyHandler {
  const blocks = createBlockUseCases({ store: deps.store, history: deps.history, clock: deps.clock, ids: deps.ids });
  const routes: AnyRoute[] = [];
  routes.push(openApiRoute(() => routes, { serverUrl: deps.apiUrl }), ...blockRoutes(blocks, { apiUrl: deps.apiUrl }));
  return createHttpHandler({ routes, secrets: deps.secrets, logger: deps.logger }) as unknown as ProxyHandler;
}
