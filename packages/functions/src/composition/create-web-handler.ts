import { handlerBasics } from "./handler-basics";
import { createLogger } from "../platform/observability/logger";
import { errorPage } from "../platform/web/error-pages";
import { createHttpHandler } from "../platform/http/handler-factory";
import type { HttpHandlerDeps } from "./create-api-handler";
import { webRoutes, type WebDeps } from "../approvals/web-routes";
import { WEB_TABLES } from "../contracts/routes";
import { manifestOf, resourcesOf } from "../platform/http/route-table";

export interface WebHandlerDeps extends WebDeps, HttpHandlerDeps {}

/**
 * What the browser pages own, from their route tables: each first path segment (`/console`, `/link`), with the bare
 * segment only where a page is declared there (`/console` is a page, a bare `/link` is not and stays the JSON API's 404).
 */
let webOwned: { exact: Set<string>; prefixes: string[] } | undefined;
function webPathsOwned(): { exact: Set<string>; prefixes: string[] } {
  const resources = resourcesOf(manifestOf(...WEB_TABLES));
  const segments = [...new Set(resources.map((r) => `/${r.split("/")[1]}`))];
  return { exact: new Set(segments.filter((s) => resources.includes(s))), prefixes: segments.map((s) => `${s}/`) };
}

/** Paths the browser pages own; everything else is the JSON API. API Gateway and local mode route on this. */
export function isWebPath(path: string): boolean {
  webOwned ??= webPathsOwned();
  return webOwned.exact.has(path) || webOwned.prefixes.some((p) => path.startsWith(p));
}

/**
 * The browser pages (approval links, the console) as their own handler, built by the same factory as the JSON
 * API: in AWS a function of its own behind the same API Gateway, so neither bundle carries the other's code.
 */
export function createWebHandler(deps: WebHandlerDeps) {
  const { clock, ids, blocks } = handlerBasics(deps);
  const routes = webRoutes({
    secret: deps.secret,
    links: deps.links,
    sessions: deps.sessions,
    store: deps.store,
    history: deps.history,
    blocks,
    apiKey: deps.secrets,
    clock,
    ids,
    ...(deps.apiUrl ? { apiUrl: deps.apiUrl } : {}),
    ...(deps.requests ? { requests: deps.requests } : {}),
    ...(deps.usage ? { usage: deps.usage } : {}),
    ...(deps.autoApproval ? { autoApproval: true } : {}),
  });
  return createHttpHandler({
    routes,
    secrets: deps.secrets,
    logger: deps.logger ?? createLogger({ service: "cbm-web" }),
    // A person reads these answers: every error is a page with the pages' headers, and JSON stays the API's.
    errorPages: errorPage,
    ...(deps.metrics ? { metrics: deps.metrics } : {}),
  });
}
