import type { ApiEvent } from "./types";

type Headers = Record<string, string | undefined>;

function originOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const o = new URL(url).origin;
    return o === "null" ? undefined : o;
  } catch {
    return undefined;
  }
}

/** Whether the page is served over HTTPS: API Gateway says so in X-Forwarded-Proto; the configured URL says so too. */
export function servedOverHttps(headers: Headers, apiUrl?: string): boolean {
  return headers["x-forwarded-proto"]?.split(",")[0]?.trim() === "https" || (apiUrl?.startsWith("https://") ?? false);
}

/**
 * Same-origin check of a form POST: the Origin header (or, without one, the Referer) must be this API's own origin,
 * the configured API_URL's or the one the request was sent to. A form on another site, or a request that names no
 * origin at all, is refused before anything is read.
 */
export function isSameOrigin(headers: Headers, apiUrl?: string): boolean {
  const claimed = headers.origin && headers.origin !== "null" ? originOf(headers.origin) : originOf(headers.referer);
  if (!claimed) return false;
  const allowed = new Set<string>();
  const configured = originOf(apiUrl);
  if (configured) allowed.add(configured);
  if (headers.host) {
    const own = originOf(`${servedOverHttps(headers, apiUrl) ? "https" : "http"}://${headers.host}`);
    if (own) allowed.add(own);
  }
  return allowed.has(claimed);
}

/**
 * The path prefix under which browsers reach the API: API_URL's path (`/prod` behind API Gateway's stage), else
 * what API Gateway's request context adds in front of the route's path. Pages build every link from it.
 */
export function basePath(event: ApiEvent, apiUrl?: string): string {
  if (apiUrl) {
    try {
      return new URL(apiUrl).pathname.replace(/\/+$/, "");
    } catch {
      // fall through to the request context
    }
  }
  const full = event.requestContext?.path;
  if (typeof full === "string" && full.endsWith(event.path) && full.length > event.path.length)
    return full.slice(0, full.length - event.path.length);
  return "";
}

/** Cookie values by name from the Cookie header. */
export function cookies(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (headers.cookie ?? "").split(";")) {
    const i = part.indexOf("=");
    if (i > 0) out[part.slice(0, i).trim()] = part.slice(i + 1).trim();
  }
  return out;
}

/** A string field of a parsed form body. */
export function field(body: unknown, name: string): string | undefined {
  if (typeof body !== "object" || body === null) return undefined;
  const v = (body as Record<string, unknown>)[name];
  return typeof v === "string" ? v : undefined;
}
