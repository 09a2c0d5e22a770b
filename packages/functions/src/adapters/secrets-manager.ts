import { GetSecretValueCommand, type SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { InfrastructureError, ThrottledError } from "@cbm/core";
import type { RefreshableSecretSource } from "./secrets-source";

export interface SecretsManagerSourceOptions {
  client: SecretsManagerClient;
  secretId: string;
  /** How long a fetched key is trusted. Default 5 min. */
  ttlMs?: number;
  /** At most one refresh (triggered by a non-matching key) per this interval. Default 10 s. */
  minRefreshIntervalMs?: number;
  /** Milliseconds since the epoch; injectable for tests. */
  now?: () => number;
}

/**
 * The API key from Secrets Manager; SecretString is the key itself (as the original README reads it). Cached for
 * `ttlMs`; a key that does not match triggers at most one re-fetch per `minRefreshIntervalMs`, which picks up a
 * rotation at once while keeping a flood of wrong keys from turning into a flood of GetSecretValue calls.
 */
export function createSecretsManagerSource(opts: SecretsManagerSourceOptions): RefreshableSecretSource {
  const ttlMs = opts.ttlMs ?? 5 * 60_000;
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
      throw name === "ThrottlingException" ? new ThrottledError(message, name, { cause: err }) : new InfrastructureError(message, name, { cause: err });
    }
    const key = out.SecretString?.trim();
    if (!key) throw new InfrastructureError("The API key secret has no SecretString", "EmptySecret");
    cached = { key, at: now() };
    return key;
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
