import type { ApiEvent } from "../http/types";

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

/**
 * The one origin CBM's pages are served from: the public API URL set at deploy (local mode: its own loopback URL).
 * Without one configured, the host API Gateway itself answered on (its request context, which a client cannot set),
 * always HTTPS. Never the request's Host header: a client or a DNS-rebinding page chooses that.
 */
export function publicOrigin(event: Pick<ApiEvent, "requestContext">, apiUrl?: string): string | undefined {
  const configured = originOf(apiUrl);
  if (configured) return configured;
  const domain = (event.requestContext as { domainName?: unknown } | undefined)?.domainName;
  return typeof domain === "string" && domain ? originOf(`https://${domain}`) : undefined;
}

/** Whether the pages are served over HTTPS, by the public origin (a header such as X-Forwarded-Proto could lie). */
export function servedOverHttps(origin: string | undefined): boolean {
  return origin?.startsWith("https://") ?? false;
}

/**
 * Same-origin check of a form POST: the Origin header (or, without one, the Referer) must be the public origin. A
 * form on another site, a request that names no origin, or one whose Host and Origin both name another site, is
 * refused before anything is read.
 */
export function isSameOrigin(headers: Headers, origin: string | undefined): boolean {
  const claimed = headers.origin && headers.origin !== "null" ? originOf(headers.origin) : originOf(headers.referer);
  return claimed !== undefined && claimed === origin;
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

/** A string field of a parsed form body (formBody has refused a repeated one already). */
export function field(body: unknown, name: string): string | undefined {
  if (typeof body !== "object" || body === null) return undefined;
  const v = (body as Record<string, unknown>)[name];
  return typeof v === "string" ? v : undefined;
}
