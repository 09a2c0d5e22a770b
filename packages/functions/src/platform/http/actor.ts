import type { MiddlewareObj } from "@middy/core";
import { isSafeText, ValidationError } from "@cbm/core";
import { redactSecret } from "./redaction";
import type { ApiEvent, ApiResult } from "./types";

const DEFAULT_ACTOR = "api-key";
const ACTOR_MAX = 64;

/**
 * Keeps a caller-supplied actor printable and short; it ends up in history and in notifications. A deceptive
 * character is refused (400) rather than stripped, since the name would not be what its sender meant; the API key,
 * pasted by mistake, is redacted before anything else, so no part of it survives.
 */
export function sanitizeActor(raw: string | undefined, apiKey?: string): string {
  if (typeof raw !== "string") return DEFAULT_ACTOR;
  // The same rule as every text a person types (core's isSafeText): controls, bidi overrides, lone surrogates.
  if (!isSafeText(raw)) {
    throw new ValidationError([
      {
        field: "x-cbm-actor",
        message: "must not contain control characters, bidirectional overrides or unpaired surrogates",
        code: "invalid_format",
      },
    ]);
  }
  // Redacted before and after stripping: stripping could join the pieces of a key around a removed character.
  const printable = redactSecret(raw, apiKey, "redacted").replace(/[^A-Za-z0-9 ._:@+/-]/g, "");
  const clean = redactSecret(printable, apiKey, "redacted").trim().slice(0, ACTOR_MAX).trim();
  return clean || DEFAULT_ACTOR;
}

/**
 * Names who is acting (`event.actor`), for history and the access log: `x-cbm-actor`, sanitized, or `api-key`. A
 * self-authenticated route starts as `anonymous` and names its actor once it has checked the link or session; a
 * header cannot. Registered after the body's size and media type and before its parsing: the order in which CBM
 * has always refused a request with several faults.
 */
export function actor(isSelfAuthenticated: (event: ApiEvent) => boolean): MiddlewareObj<ApiEvent, ApiResult> {
  return {
    before: async ({ event }) => {
      const headers = event.headers ?? {};
      event.actor = isSelfAuthenticated(event) ? "anonymous" : sanitizeActor(headers["x-cbm-actor"], headers["x-api-key"]);
    },
  };
}
