import { createHash } from "node:crypto";
import { ValidationError } from "@cbm/core";
import type { ApiResult } from "./types";

/** The header a client sets so that a retried write happens once (POST, PUT, PATCH and POST /{PK}/deny). */
export const IDEMPOTENCY_HEADER = "idempotency-key";
/** Set on a response that was stored from the first request with the same key rather than computed again. */
export const REPLAYED_HEADER = "Idempotent-Replayed";

import type { IdempotencyStore as Port } from "../ports/idempotency";

/** The store of the API's write routes: their first response, by scoped Idempotency-Key. */
export type IdempotencyStore = Port<ApiResult>;

/** Visible ASCII, as Stripe and the IETF draft allow; long enough for a UUID with a prefix. */
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/** The Idempotency-Key header, checked; undefined when the client sent none. */
export function parseIdempotencyKey(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  if (!KEY_PATTERN.test(raw)) {
    throw new ValidationError([{ field: "Idempotency-Key", message: "must be 1 to 255 visible ASCII characters", code: "invalid_format" }]);
  }
  return raw;
}

/**
 * The stored key: the client's key scoped to the API key that sent it, the route and the block, so two clients,
 * routes or blocks never share a key. The API key enters only as a hash, and the store hashes the whole key again.
 */
export function scopedIdempotencyKey(apiKey: string, method: string, route: string, pk: string | undefined, key: string): string {
  const keyId = createHash("sha256").update(apiKey, "utf8").digest("base64url").slice(0, 16);
  return JSON.stringify([keyId, method, route, pk ?? null, key]);
}

/** Marks a replayed response so that clients and logs can tell it from a fresh one. */
export function markReplayed(result: ApiResult): ApiResult {
  return { ...result, headers: { ...result.headers, [REPLAYED_HEADER]: "true" } };
}
