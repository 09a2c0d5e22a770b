import middy from "@middy/core";
import httpErrorHandler from "@middy/http-error-handler";
import httpHeaderNormalizer from "@middy/http-header-normalizer";
import type { RefreshableSecretSource } from "../adapters/secrets-source";
import type { Logger } from "../observability/logger";
import { apiKeyAuth } from "./auth";
import { errorMapper } from "./error-mapper";
import { requestGuards } from "./request-guards";
import { checkRouteable, createRouter } from "./routing";
import type { AnyRoute, ApiEvent, ApiResult } from "./types";

export interface HttpHandlerOptions {
  routes: AnyRoute[];
  secrets: RefreshableSecretSource;
  logger: Pick<Logger, "error" | "warn">;
  maxBodyBytes?: number;
}

/**
 * The one Middy shape of every HTTP entry point. Before: normalize header names → API key → routeable method and
 * path → body and actor. Then http-router dispatches to the route. On error: errorMapper (the only error→HTTP
 * mapping) then httpErrorHandler, which writes the response.
 */
export function createHttpHandler({ routes, secrets, logger, maxBodyBytes }: HttpHandlerOptions) {
  // Middy runs onError middlewares in reverse order of registration: httpErrorHandler is registered first so it
  // runs last, and errorMapper just after it so it runs immediately before it.
  return middy<ApiEvent, ApiResult>({ timeoutEarlyInMillis: 0 })
    .use(httpErrorHandler({ logger: false }))
    .use(errorMapper(logger))
    .use(httpHeaderNormalizer())
    .use(apiKeyAuth(secrets))
    .use({ before: async ({ event }) => checkRouteable(routes, event) })
    .use(requestGuards({ maxBodyBytes }))
    .handler(createRouter(routes));
}
