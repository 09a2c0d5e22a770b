import { createHash, timingSafeEqual } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { SecretSource } from "@cbm/core";

/**
 * A SecretSource that can be asked to look again: the API calls `refresh()` when a presented key does not match
 * the cached one, so a rotated key is picked up without a redeploy. Implementations rate-limit it.
 */
export interface RefreshableSecretSource extends SecretSource {
  refresh?(): Promise<string>;
}

/** Constant-time comparison that also hides the key's length: both sides are hashed to 32 bytes first. */
export function keysMatch(presented: string, expected: string): boolean {
  const a = createHash("sha256").update(presented, "utf8").digest();
  const b = createHash("sha256").update(expected, "utf8").digest();
  return timingSafeEqual(a, b) && expected.length > 0;
}

/** A fixed key (tests, local mode with a key generated at start). */
export function staticSecretSource(key: string): RefreshableSecretSource {
  return { apiKey: async () => key };
}

/** The key in a local file (trimmed), re-read at most every `ttlMs` and on refresh, so editing the file rotates it. */
export function fileSecretSource(path: string, opts: { ttlMs?: number; now?: () => number } = {}): RefreshableSecretSource {
  const ttlMs = opts.ttlMs ?? 5_000;
  const now = opts.now ?? Date.now;
  let cached: { key: string; at: number } | undefined;
  const load = async () => {
    const key = (await readFile(path, "utf8")).trim();
    cached = { key, at: now() };
    return key;
  };
  return {
    apiKey: async () => (cached && now() - cached.at < ttlMs ? cached.key : load()),
    refresh: load,
  };
}
