import { createHash, randomBytes } from "node:crypto";
import * as z from "zod";
import { openJson, sealJson, tag, verifyTag, type SigningSecret } from "../links/signing";

export const SESSION_COOKIE = "cbm_session";
/** Short-lived: a console left open signs itself out; sign in again with the API key. */
export const SESSION_TTL_MS = 30 * 60_000;

const Session = z.object({ sid: z.string().min(16), exp: z.number().int(), actor: z.string().max(80), kh: z.string() });
export type Session = z.infer<typeof Session>;

/**
 * A short hash of the API key the session was opened with: rotating the key signs every console out, and the
 * cookie carries neither the key nor anything that helps to guess it.
 */
function keyHash(apiKey: string): string {
  return createHash("sha256").update(`cbm-console:${apiKey}`).digest("base64url").slice(0, 16);
}

/** A new session for `actor` after the API key was checked; the cookie is signed with the link key's session subkey. */
export async function openSession(
  secret: SigningSecret,
  apiKey: string,
  actor: string,
  nowMs: number,
): Promise<{ value: string; session: Session }> {
  const session: Session = { sid: randomBytes(18).toString("base64url"), exp: nowMs + SESSION_TTL_MS, actor, kh: keyHash(apiKey) };
  return { value: await sealJson(secret, "console-session", session), session };
}

/** The session a cookie holds, if it is genuine, not expired and opened with the API key in force now. */
export async function readSession(
  secret: SigningSecret,
  cookie: string | undefined,
  currentApiKey: string,
  nowMs: number,
): Promise<Session | undefined> {
  if (!cookie) return undefined;
  const parsed = Session.safeParse(await openJson(secret, "console-session", cookie));
  if (!parsed.success || parsed.data.exp <= nowMs || parsed.data.kh !== keyHash(currentApiKey)) return undefined;
  return parsed.data;
}

/** Set-Cookie for the session: HttpOnly (no script reads it), SameSite=Strict, Secure over HTTPS, scoped to the console. */
export function sessionCookie(value: string, opts: { path: string; secure: boolean; maxAgeSeconds?: number }): string {
  const maxAge = opts.maxAgeSeconds ?? SESSION_TTL_MS / 1000;
  return `${SESSION_COOKIE}=${value}; Path=${opts.path}; Max-Age=${maxAge}; HttpOnly; SameSite=Strict${opts.secure ? "; Secure" : ""}`;
}

/** The CSRF token of a session's forms: a MAC of its id, so only pages rendered for this session can post. */
export function sessionCsrf(secret: SigningSecret, s: Session): Promise<string> {
  return tag(secret, "console-csrf", s.sid);
}

export function verifySessionCsrf(secret: SigningSecret, s: Session, given: string | undefined): Promise<boolean> {
  return verifyTag(secret, "console-csrf", s.sid, given);
}
