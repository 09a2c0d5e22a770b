import { AmbiguousOutcomeError, InfrastructureError, RejectedError, ThrottledError } from "@cbm/core";

/**
 * Codes EC2 uses for throttling. `CapacityBlockDescribeLimitExceeded` is not retried by the SDK (reference §3.3),
 * so the scheduler must back off itself.
 */
const THROTTLE_CODES = new Set([
  "RequestLimitExceeded",
  "CapacityBlockDescribeLimitExceeded",
  "Throttling",
  "ThrottlingException",
  "ThrottledException",
  "EC2ThrottledException",
  "RequestThrottled",
  "RequestThrottledException",
  "TooManyRequestsException",
  "SlowDown",
]);

/** An unknown reservation id; EC2 throws it for the whole batch when any one id is unknown. */
export const NOT_FOUND_CODES = new Set(["InvalidCapacityReservationId.NotFound", "InvalidCapacityReservationId.Malformed"]);

interface SdkErrorLike {
  name?: string;
  Code?: string;
  code?: string;
  message?: string;
  $fault?: "client" | "server";
  $metadata?: { httpStatusCode?: number; requestId?: string };
}

export function errorCode(err: unknown): string {
  const e = (err ?? {}) as SdkErrorLike;
  return e.Code ?? e.code ?? e.name ?? "Unknown";
}

function httpStatus(err: unknown): number | undefined {
  return (err as SdkErrorLike | undefined)?.$metadata?.httpStatusCode;
}

function describe(err: unknown): string {
  const status = httpStatus(err);
  const message = err instanceof Error ? err.message : String(err);
  return `${errorCode(err)}${status ? ` (HTTP ${status})` : ""}: ${message}`;
}

export function isThrottle(err: unknown): boolean {
  const code = errorCode(err);
  return THROTTLE_CODES.has(code) || code.startsWith("RequestThrottled") || httpStatus(err) === 429;
}

export function isNotFound(err: unknown): boolean {
  return NOT_FOUND_CODES.has(errorCode(err));
}

/** Maps a failed describe call: throttling is its own class so callers back off; anything else is infrastructure. */
export function mapDescribeError(op: string, err: unknown): InfrastructureError {
  if (err instanceof InfrastructureError) return err;
  if (isThrottle(err)) return new ThrottledError(`${op} throttled: ${describe(err)}`, errorCode(err), { cause: err });
  return new InfrastructureError(`${op} failed: ${describe(err)}`, errorCode(err), { cause: err });
}

/**
 * Maps a failed purchase (PurchaseCapacityBlockExtension, or `op`). Only an answer EC2 gave before doing anything is a rejection: a
 * 4xx other than 408 (throttling included: it is refused at the door). Everything else (5xx, timeouts, aborted or
 * broken connections, an unreadable 200) may have bought the extension, so it is ambiguous and must be settled
 * from the extension history, never retried.
 */
export function mapPurchaseError(err: unknown, op = "PurchaseCapacityBlockExtension"): InfrastructureError {
  if (err instanceof InfrastructureError) return err;
  const status = httpStatus(err);
  const fault = (err as SdkErrorLike | undefined)?.$fault;
  if (isThrottle(err) && status !== undefined && status !== 500 && status !== 502 && status !== 504) {
    return new ThrottledError(`${op} throttled: ${describe(err)}`, errorCode(err), { cause: err });
  }
  if (status !== undefined && status >= 400 && status < 500 && status !== 408 && fault !== "server") {
    return new RejectedError(`${op} rejected: ${describe(err)}`, errorCode(err), { cause: err });
  }
  return new AmbiguousOutcomeError(`${op} outcome unknown: ${describe(err)}`, errorCode(err), { cause: err });
}
