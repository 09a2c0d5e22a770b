import type { SecretSource } from "@cbm/core";

/**
 * A SecretSource that can be asked to look again: the API calls `refresh()` when a presented key does not match
 * the cached one, so a rotated key is picked up without a redeploy. Implementations rate-limit it.
 */
export interface RefreshableSecretSource extends SecretSource {
  refresh?(): Promise<string>;
}
