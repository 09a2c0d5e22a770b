import { createHash, randomBytes } from "node:crypto";
import { tag, verifyTag, type SigningSecret } from "../links/signing";
import type { SessionStore } from "../../platform/ports/session-store";

/** The cookie over plain HTTP (local mode). */
export const SESSION_COOKIE = "cbm_session";
/** Over HTTPS: `__Host-` makes the browser refuse the cookie unless it is Secure, host-only and Path=/. */
export const SECURE_SESSION_COOKIE = "__Host-cbm_session";
/** Idle lifetime: a console left alone for 30 minutes signs itself out. */
export const SESSION_IDLE_MS = 30 * 60_000;
/** Absolute lifetime: however busy, a session ends 8 hours (a working day) after sign-in. */
export const SESSION_ABSOLUTE_MS = 8 * 3_600_000;
/** A session's last-seen time is written at most once a minute, not on every page view. */
const TOUCH_EVERY_MS = 60_000;

/** What a page knows of its session: the id (CSRF tokens are bound to it) and who signed in. */
export interface Session {
  sid: string;
  actor: string;
}

/** A hash of the API key, kept only in the session record: a session opened with another key is void. */
function keyFingerprint(apiKey: string): string {
  return createHash("sha256").update(`cbm-console-key:${apiKey}`).digest("base64url");
}

const expiresAt = (s: { createdAt: number; lastSeenAt: number }) =>
  Math.min(s.lastSeenAt + SESSION_IDLE_MS, s.createdAt + SESSION_ABSOLUTE_MS);

/** A new session for `actor` after the API key was checked: 256 random bits in the cookie, the rest in the store. */
export async function openSession(store: SessionStore, apiKey: string, actor: string, nowMs: number): Promise<Session> {
  // From the OS's CSPRNG, not the Ids port: a session id is a bearer secret, and ULIDs are guessable by design.
  const sid = randomBytes(32).toString("base64url");
  const stored = { actor, createdAt: nowMs, lastSeenAt: nowMs, keyFingerprint: keyFingerprint(apiKey) };
  await store.put(sid, stored, expiresAt(stored));
  return { sid, actor };
}

/**
 * The session a cookie names, if the store still has it, it is within its idle and absolute lifetimes and it was
 * opened with the API key in force now. A session that fails any of these is deleted, so it can never come back.
 */
export async function readSession(
  store: SessionStore,
  sid: string | undefined,
  currentApiKey: string,
  nowMs: number,
): Promise<Session | undefined> {
  if (!sid || !/^[\w-]{43}$/.test(sid)) return undefined;
  const s = await store.get(sid);
  if (!s) return undefined;
  if (expiresAt(s) <= nowMs || s.keyFingerprint !== keyFingerprint(currentApiKey)) {
    await store.delete(sid);
    return undefined;
  }
  if (nowMs - s.lastSeenAt >= TOUCH_EVERY_MS) {
    const touched = { ...s, lastSeenAt: nowMs };
    await store.put(sid, touched, expiresAt(touched));
  }
  return { sid, actor: s.actor };
}

/** Sign-out: the record goes, so every copy of the cookie is void at once. */
export function endSession(store: SessionStore, sid: string): Promise<void> {
  return store.delete(sid);
}

/** The cookie's name: `__Host-` over HTTPS. */
export function sessionCookieName(secure: boolean): string {
  return secure ? SECURE_SESSION_COOKIE : SESSION_COOKIE;
}

/**
 * Set-Cookie for the session: HttpOnly (no script reads it), SameSite=Strict. Over HTTPS `__Host-` with Secure and
 * Path=/ (the prefix demands both); over plain HTTP (local mode) scoped to the console's path. No Max-Age beyond the
 * absolute lifetime; the server ends it sooner when idle.
 */
export function sessionCookie(value: string, opts: { consolePath: string; secure: boolean; clear?: boolean }): string {
  const maxAge = opts.clear ? 0 : SESSION_ABSOLUTE_MS / 1000;
  const scope = opts.secure ? "Path=/" : `Path=${opts.consolePath}`;
  return `${sessionCookieName(opts.secure)}=${value}; ${scope}; Max-Age=${maxAge}; HttpOnly; SameSite=Strict${opts.secure ? "; Secure" : ""}`;
}

/** The CSRF token of a session's forms: a MAC of its id, so only pages rendered for this session can post. */
export function sessionCsrf(secret: SigningSecret, s: Session): Promise<string> {
  return tag(secret, "console-csrf", s.sid);
}

export function verifySessionCsrf(secret: SigningSecret, s: Session, given: string | undefined): Promise<boolean> {
  return verifyTag(secret, "console-csrf", s.sid, given);
}
