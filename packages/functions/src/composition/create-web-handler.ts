import { systemClock } from "../adapters/clock";
import { createUlidIds } from "../adapters/ids";
import { createLogger } from "../platform/observability/logger";
import { createBlockUseCases } from "../blocks/use-cases";
import { errorPage } from "../platform/web/error-pages";
import { createHttpHandler } from "../platform/http/handler-factory";
import type { HttpHandlerDeps } from "./create-api-handler";
import { webRoutes, type WebDeps } from "../approvals/web-routes";

export interface WebHandlerDeps extends WebDeps, HttpHandlerDeps {}

/** Paths the browser pages own; everything else is the JSON API. API Gateway and local mode route on this. */
export function isWebPath(path: string): boolean {
  return path === "/console" || path.startsWith("/console/") || path.startsWith("/link/");
}

/**
 * The browser pages (approval links, the console) as their own handler, built by the same factory as the JSON
 * API: in AWS a function of its own behind the same API Gateway, so neither bundle carries the other's code.
 */
export function createWebHandler(deps: WebHandlerDeps) {
  const clock = deps.clock ?? systemClock;
  const ids = deps.ids ?? createUlidIds(clock);
  const blocks = createBlockUseCases({
    store: deps.store,
    history: deps.history,
    clock,
    ids,
    ...(deps.usage ? { usage: deps.usage } : {}),
  });
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
