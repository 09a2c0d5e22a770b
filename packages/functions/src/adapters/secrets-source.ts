import { readFile } from "node:fs/promises";
import type { RefreshableSecretSource } from "../platform/ports/secret-source";

export type { RefreshableSecretSource };

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
