/** Error names and socket codes that mean "no answer in time" or "could not reach it", not "it said no". */
const UNAVAILABLE_NAMES = new Set(["TimeoutError", "AbortError", "RequestTimeout", "RequestTimeoutException"]);
const UNAVAILABLE_CODES = new Set([
  "ETIMEDOUT",
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EAI_AGAIN",
  "ENOTFOUND",
]);

/**
 * True when `err` (or an error it wraps) says the dependency did not answer: a timeout, an abort by the budget, or a
 * connection that could not be made. The outcome of such a write is unknown.
 */
export function isDependencyUnavailable(err: unknown): boolean {
  let e: unknown = err;
  for (let depth = 0; depth < 5 && e instanceof Error; depth++) {
    const { providerCode, code } = e as { providerCode?: unknown; code?: unknown };
    if (UNAVAILABLE_NAMES.has(e.name) || UNAVAILABLE_NAMES.has(String(providerCode)) || UNAVAILABLE_CODES.has(String(code))) return true;
    e = e.cause;
  }
  return false;
}
