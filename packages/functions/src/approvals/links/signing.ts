import { createHash, createHmac, timingSafeEqual } from "node:crypto";

/**
 * HMAC-SHA256 signing with keys derived from one secret (the link key, never the API key): each purpose gets its own
 * subkey, so a session cookie can never pass as a link token or a CSRF token as either.
 */
export type Purpose = "approval-link" | "link-csrf" | "console-session" | "console-csrf";

/** The secret, cached by its source; `refresh` re-reads it after a rotation (rate-limited by the source). */
export interface SigningSecret {
  current(): Promise<string>;
  refresh?(): Promise<string>;
}

function subkey(secret: string, purpose: Purpose): Buffer {
  return createHmac("sha256", secret).update(`cbm/${purpose}/v1`).digest();
}

function mac(secret: string, purpose: Purpose, data: string): string {
  return createHmac("sha256", subkey(secret, purpose)).update(data).digest("base64url");
}

function equal(a: string, b: string): boolean {
  const ha = createHash("sha256").update(a).digest();
  const hb = createHash("sha256").update(b).digest();
  return timingSafeEqual(ha, hb);
}

/** `base64url(JSON).base64url(mac)`: self-contained, tamper-evident, readable by nobody who lacks the secret's MAC. */
export async function sealJson(secret: SigningSecret, purpose: Purpose, value: unknown): Promise<string> {
  const body = Buffer.from(JSON.stringify(value), "utf8").toString("base64url");
  return `${body}.${mac(await secret.current(), purpose, body)}`;
}

/**
 * The JSON inside a sealed string, or undefined when it is malformed or its MAC does not verify. A MAC that fails
 * with the cached secret is checked once more against a refreshed one, so a rotated key is picked up at once.
 */
export async function openJson(secret: SigningSecret, purpose: Purpose, sealed: string): Promise<unknown> {
  const m = /^([A-Za-z0-9_-]{2,4096})\.([A-Za-z0-9_-]{43})$/.exec(sealed);
  if (!m) return undefined;
  const [, body, sig] = m as unknown as [string, string, string];
  let ok = equal(sig, mac(await secret.current(), purpose, body));
  if (!ok && secret.refresh) ok = equal(sig, mac(await secret.refresh(), purpose, body));
  if (!ok) return undefined;
  try {
    return JSON.parse(Buffer.from(body, "base64url").toString("utf8"));
  } catch {
    return undefined;
  }
}

/** A MAC of `data` for `purpose` (CSRF tokens); compare with `verifyTag`. */
export async function tag(secret: SigningSecret, purpose: Purpose, data: string): Promise<string> {
  return mac(await secret.current(), purpose, data);
}

export async function verifyTag(secret: SigningSecret, purpose: Purpose, data: string, given: string | undefined): Promise<boolean> {
  if (typeof given !== "string" || given.length === 0 || given.length > 100) return false;
  return equal(given, await tag(secret, purpose, data));
}
