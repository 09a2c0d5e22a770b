import type { MiddlewareObj } from "@middy/core";
import { keysMatch, type RefreshableSecretSource } from "../adapters/secrets-source";
import { ForbiddenError } from "../errors";
import type { ApiEvent, ApiResult } from "./types";

/**
 * API-key check, first in the chain: every route needs `x-api-key`. A key that does not match the cached one asks
 * the source to refresh (rate-limited there), so a rotated key works without a redeploy. The key is never logged.
 */
export function apiKeyAuth(secrets: RefreshableSecretSource, opts: { selfAuthenticated?: (event: ApiEvent) => boolean } = {}): MiddlewareObj<ApiEvent, ApiResult> {
  return {
    before: async ({ event }) => {
      // Approval links and the console check their own signed token or session; the API key never reaches a browser.
      if (opts.selfAuthenticated?.(event)) return;
      const presented = event.headers?.["x-api-key"];
      if (typeof presented !== "string" || presented.length === 0 || presented.length > 1024) throw new ForbiddenError();
      if (keysMatch(presented, await secrets.apiKey())) return;
      if (secrets.refresh && keysMatch(presented, await secrets.refresh())) return;
      throw new ForbiddenError();
    },
  };
}
