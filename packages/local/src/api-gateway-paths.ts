/**
 * How API Gateway (REST v1) maps a request path to one of the API's resources, for the local HTTP adapter. The rule
 * that matters most: a path is matched as sent, never normalised, so it cannot reach a block other than the one named.
 */

import { API_RESOURCES, WEB_RESOURCES } from "@cbm/functions/contracts";

/** The API's resources and the browser pages', from the route manifest: a path maps to one as API Gateway would map it. */
export const DEFAULT_RESOURCES: string[] = [...API_RESOURCES, ...WEB_RESOURCES];

/**
 * The request target split as API Gateway sees it: the path exactly as sent (no `//` collapsed, no `.` or `..`
 * resolved) and the query. `new URL(target, base)` would be wrong twice: it reads `//x/y` as host `x`, path `/y`,
 * and resolves `/x/../y` to `/y`, so either would reach another block than the one written.
 */
export function splitTarget(target: string): { path: string; query: URLSearchParams } {
  const q = target.indexOf("?");
  return { path: q < 0 ? target : target.slice(0, q), query: new URLSearchParams(q < 0 ? "" : target.slice(q + 1)) };
}

/** A path with an empty, `.` or `..` segment names no resource: it is never normalised into one that does. */
function hasAmbiguousSegment(segs: string[]): boolean {
  return segs.some((s) => s === "" || s === "." || s === "..");
}

/** The resource template a path matches (and its path parameters), or the catch-all `/{proxy+}`. */
export function matchResource(path: string, resources: string[]): { resource: string; pathParameters: Record<string, string> | null } {
  if (path === "/") return { resource: "/", pathParameters: null };
  // A trailing slash is allowed (the router ignores it), as API Gateway does; any other empty segment is not.
  const segs = path.slice(1).replace(/\/$/, "").split("/");
  // Static templates first, as API Gateway prefers the most specific match.
  const sorted = [...resources].sort((a, b) => Number(a.includes("{")) - Number(b.includes("{")));
  for (const r of hasAmbiguousSegment(segs) ? [] : sorted) {
    const rs = r.split("/").filter(Boolean);
    if (rs.length !== segs.length) continue;
    const params: Record<string, string> = {};
    let ok = true;
    for (let i = 0; i < rs.length; i++) {
      const t = rs[i]!;
      const s = segs[i]!;
      const m = /^\{(\w+)\}$/.exec(t);
      if (m) params[m[1]!] = safeDecode(s);
      else if (t !== s) {
        ok = false;
        break;
      }
    }
    if (ok) return { resource: r, pathParameters: Object.keys(params).length ? params : null };
  }
  return { resource: "/{proxy+}", pathParameters: { proxy: safeDecode(path.slice(1)) } };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
