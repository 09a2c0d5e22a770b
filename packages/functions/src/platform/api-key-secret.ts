/**
 * The API-key secret's contract, as the first release deployed it and its scripts read it: the SecretString is JSON
 * `{"username":"web_user","api_key":"<key>"}` and the key is the `api_key` member. A bare string (CBM's earlier
 * form, or a value someone put by hand) is still accepted as the key itself. One parser for every reader: the API
 * function, the rotation function and the CLI.
 */

/** The member that holds the key, and the username the first release's template carries beside it. */
export const API_KEY_MEMBER = "api_key";
export const API_KEY_USERNAME = "web_user";

/**
 * How long the API function trusts a fetched key. Key rotation keeps a superseded key valid at API Gateway for
 * longer than this (ROTATION_GRACE_MS in rotation/key-plan.ts), so the gateway never refuses a key the function may still accept.
 */
export const API_KEY_CACHE_TTL_MS = 5 * 60_000;

export type ParsedApiKeySecret =
  | { ok: true; apiKey: string; format: "json" | "bare"; members: Record<string, unknown> }
  | { ok: false; reason: string };

/** Reads the key out of a SecretString. Never returns the secret in `reason`: callers put it in errors and logs. */
export function parseApiKeySecret(secretString: string | undefined): ParsedApiKeySecret {
  const text = secretString?.trim() ?? "";
  if (text.length === 0) return { ok: false, reason: "the secret has no SecretString" };
  // A generated key is alphanumeric, so a value that starts with "{" can only be meant as JSON.
  if (!text.startsWith("{")) return { ok: true, apiKey: text, format: "bare", members: {} };
  let members: unknown;
  try {
    members = JSON.parse(text);
  } catch {
    return { ok: false, reason: "the SecretString starts with '{' but is not valid JSON" };
  }
  if (members === null || typeof members !== "object" || Array.isArray(members)) {
    return { ok: false, reason: "the SecretString is JSON but not an object" };
  }
  const value = (members as Record<string, unknown>)[API_KEY_MEMBER];
  if (typeof value !== "string" || value.trim().length === 0) {
    return { ok: false, reason: `the SecretString is JSON without a non-empty string "${API_KEY_MEMBER}" member` };
  }
  return { ok: true, apiKey: value.trim(), format: "json", members: members as Record<string, unknown> };
}

/**
 * The SecretString for a new key: the previous members kept (a username someone relies on), `api_key` replaced.
 * A bare previous value becomes the first release's JSON form.
 */
export function formatApiKeySecret(apiKey: string, previousMembers: Record<string, unknown> = {}): string {
  return JSON.stringify({ username: API_KEY_USERNAME, ...previousMembers, [API_KEY_MEMBER]: apiKey });
}
