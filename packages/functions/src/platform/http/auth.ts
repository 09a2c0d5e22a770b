import type { MiddlewareObj } from "@middy/core";
import { keysMatch } from "../keys-match";
import type { RefreshableSecretSource } from "../ports/secret-source";
import { ForbiddenError } from "../errors";
import type { SecretRedactor } from "./redaction";
import type { ApiEvent, ApiResult } from "./types";

/**
 * API-key check, first in the chain: every route needs `x-api-key`. A key that does not match the cached one asks
 * the source to refresh (rate-limited there), so a rotated key works without a redeploy. The key is never logged.
 */
export function apiKeyAuth(
  secrets: RefreshableSecretSource,
  redactor?: SecretRedactor,
  opts: { selfAuthenticated?: (event: ApiEvent) => boolean } = {},
): MiddlewareObj<ApiEvent, ApiResult> {
  // Every key the source returns is remembered, so the access log can scrub it from a path a client pasted it into.
  const known = (key: string): string => {
    redactor?.remember(key);
    return key;
  };
  return {
    before: async ({ event }) => {
      // Approval links and the console check their own signed token or session; the API key never reaches a browser.
      if (opts.selfAuthenticated?.(event)) return;
      const presented = event.headers?.["x-api-key"];
      if (typeof presented !== "string" || presented.length === 0 || presented.length > 1024) throw new ForbiddenError();
      if (keysMatch(presented, known(await secrets.apiKey()))) return;
      if (secrets.refresh && keysMatch(presented, known(await secrets.refresh()))) return;
      throw new ForbiddenError();
    },
  };
}
