import type { MiddlewareObj } from "@middy/core";
import { createError } from "@middy/util";
import { CbmError, InfrastructureError, ThrottledError, ValidationError, type FieldIssue } from "@cbm/core";
import { isDependencyUnavailable } from "../dependency-unavailable";
import { ForbiddenError, InvalidJsonError, MethodNotAllowedError } from "../errors";
import type { Logger } from "../observability/logger";
import type { ApiEvent, ApiResult } from "./types";

/** The JSON body of every error response except 403. */
export interface ErrorBody {
  message: string;
  code: string;
  issues?: FieldIssue[];
}

/** Status of each client-facing code; anything not listed is a server fault. */
const STATUS_BY_CODE: Record<string, number> = {
  VALIDATION_FAILED: 400,
  INVALID_JSON: 400,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  ALREADY_EXISTS: 409,
  ALREADY_MANAGED: 409,
  VERSION_CONFLICT: 409,
  PURCHASE_IN_FLIGHT: 409,
  INVALID_STATE: 409,
  NOTHING_ASKED: 409,
  NAME_TAKEN: 409,
  IDEMPOTENCY_IN_PROGRESS: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  IDEMPOTENCY_KEY_REUSED: 422,
};

/** Seconds a client should wait before retrying, per code; the first request of an in-progress key is nearly done. */
const RETRY_AFTER: Record<string, string> = { IDEMPOTENCY_IN_PROGRESS: "1" };

/** 503 codes: no answer in time (outcome unknown, retry with the same Idempotency-Key), throttled, or failed. */
function dependencyCode(err: InfrastructureError): string {
  if (err instanceof ThrottledError) return err.code;
  return isDependencyUnavailable(err) ? "DEPENDENCY_UNAVAILABLE" : err.code;
}

interface Mapped {
  statusCode: number;
  body: ErrorBody | { message: string };
  headers?: Record<string, string>;
}

/**
 * @middy/http-json-body-parser's refusal of a body labelled JSON that does not parse. It answers 415; CBM has always
 * answered malformed JSON with 400 INVALID_JSON (a wrong media type is refused before, by bodyMediaType).
 */
function isMalformedJson(err: unknown): boolean {
  const cause = (err as { cause?: { package?: unknown } } | null)?.cause;
  return typeof cause === "object" && cause !== null && cause.package === "@middy/http-json-body-parser";
}

/** The one place where an error becomes an HTTP status and body. */
export function mapError(thrown: unknown, logger: Pick<Logger, "error" | "warn">, requestId?: string): Mapped {
  const err = isMalformedJson(thrown) ? new InvalidJsonError({ cause: thrown }) : thrown;
  if (err instanceof ForbiddenError) return { statusCode: 403, body: { message: "Forbidden" } };
  if (err instanceof MethodNotAllowedError) {
    return { statusCode: 405, body: { message: err.message, code: err.code }, headers: { Allow: err.allow.join(", ") } };
  }
  if (err instanceof ValidationError) return { statusCode: 400, body: { message: err.message, code: err.code, issues: err.issues } };
  if (err instanceof InfrastructureError) {
    const code = dependencyCode(err);
    logger.warn("Dependency failed", { error: err, code, providerCode: err.providerCode, requestId });
    // A stalled dependency rarely recovers within a second; throttling and plain failures often do.
    const retryAfter = code === "DEPENDENCY_UNAVAILABLE" ? "2" : "1";
    return {
      statusCode: 503,
      body: { message: "A dependency is unavailable; retry shortly", code },
      headers: { "Retry-After": retryAfter },
    };
  }
  if (err instanceof CbmError && STATUS_BY_CODE[err.code] !== undefined) {
    const retryAfter = RETRY_AFTER[err.code];
    // A conflict about one field (a name taken) says which, as a 400 does, so a client can point at it.
    const issues = "issues" in err && Array.isArray(err.issues) ? { issues: err.issues as FieldIssue[] } : {};
    return {
      statusCode: STATUS_BY_CODE[err.code]!,
      body: { message: err.message, code: err.code, ...issues },
      ...(retryAfter ? { headers: { "Retry-After": retryAfter } } : {}),
    };
  }
  logger.error("Unhandled error", { error: err, requestId });
  return { statusCode: 500, body: { message: "Internal server error", code: "INTERNAL" } };
}

/** Another body for an error than the JSON one (the browser routes' HTML pages); gets the status and its headers. */
export type ErrorRenderer = (statusCode: number, headers: Record<string, string>) => { body: string; headers: Record<string, string> };

/**
 * Turns whatever was thrown into an exposed HttpError carrying the JSON body, which httpErrorHandler then writes.
 * Middy runs onError handlers in reverse registration order: the handler factory registers httpErrorHandler first
 * and this right after it, so this runs immediately before httpErrorHandler, which runs last.
 */
export function errorMapper(
  logger: Pick<Logger, "error" | "warn">,
  opts: { render?: ErrorRenderer } = {},
): MiddlewareObj<ApiEvent, ApiResult> {
  return {
    onError: async (request) => {
      if (request.response !== undefined) return;
      // The same request id as the access line: API Gateway's when there is one, else Lambda's.
      const mapped = mapError(request.error, logger, request.event?.requestContext?.requestId ?? request.context?.awsRequestId);
      if (opts.render) {
        // Written here, not by httpErrorHandler, which would label any non-JSON body text/plain.
        const rendered = opts.render(mapped.statusCode, mapped.headers ?? {});
        request.response = { statusCode: mapped.statusCode, headers: rendered.headers, body: rendered.body };
        return;
      }
      const httpError = createError(mapped.statusCode, JSON.stringify(mapped.body), { expose: true });
      Object.assign(httpError, { headers: { "Content-Type": "application/json", ...mapped.headers } });
      request.error = httpError;
    },
  };
}
