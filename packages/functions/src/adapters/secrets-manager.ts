import { GetSecretValueCommand, type SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { InfrastructureError, ThrottledError } from "@cbm/core";
import { API_KEY_CACHE_TTL_MS, parseApiKeySecret } from "../platform/api-key-secret";
import type { RefreshableSecretSource } from "./secrets-source";

export interface SecretsManagerSourceOptions {
  client: SecretsManagerClient;
  secretId: string;
  /** How long a fetched key is trusted. Default API_KEY_CACHE_TTL_MS (5 min). */
  ttlMs?: number;
  /** At most one refresh (triggered by a non-matching key) per this interval. Default 10 s. */
  minRefreshIntervalMs?: number;
  /** Milliseconds since the epoch; injectable for tests. */
  now?: () => number;
}

/**
 * The API key from Secrets Manager: the `api_key` member of the JSON SecretString (the first release's contract), or
 * the whole SecretString when it is a bare key (see api-key-secret.ts). Cached for
 * `ttlMs`; a key that does not match triggers at most one re-fetch per `minRefreshIntervalMs`, which picks up a
 * rotation at once while keeping a flood of wrong keys from turning into a flood of GetSecretValue calls.
 */
export function createSecretsManagerSource(opts: SecretsManagerSourceOptions): RefreshableSecretSource {
  const ttlMs = opts.ttlMs ?? API_KEY_CACHE_TTL_MS;
  const minRefreshIntervalMs = opts.minRefreshIntervalMs ?? 10_000;
  const now = opts.now ?? Date.now;
  let cached: { key: string; at: number } | undefined;
  let inFlight: Promise<string> | undefined;

  async function fetchKey(): Promise<string> {
    let out;
    try {
      out = await opts.client.send(new GetSecretValueCommand({ SecretId: opts.secretId }));
    } catch (err) {
      const name = err instanceof Error ? err.name : "UnknownError";
      const message = `Secrets Manager GetSecretValue failed (${name})`;
      throw name === "ThrottlingException"
        ? new ThrottledError(message, name, { cause: err })
        : new InfrastructureError(message, name, { cause: err });
    }
    const parsed = parseApiKeySecret(out.SecretString);
    // A secret nobody can use is a broken deployment (503), never a reason to let requests through.
    if (!parsed.ok) throw new InfrastructureError(`The API key secret is unusable: ${parsed.reason}`, "UnusableSecret");
    cached = { key: parsed.apiKey, at: now() };
    return parsed.apiKey;
  }

  // Concurrent requests on a cold or expired cache share one GetSecretValue call.
  function load(): Promise<string> {
    inFlight ??= fetchKey().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  }

  return {
    apiKey: async () => (cached && now() - cached.at < ttlMs ? cached.key : load()),
    async refresh() {
      if (cached && now() - cached.at < minRefreshIntervalMs) return cached.key;
      return load();
    },
  };
}
