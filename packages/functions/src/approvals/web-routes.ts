import { createApprovalLinks } from "./links/approval-links";
import { createLinks } from "./links/links";
import { createRequestLinks } from "./links/request-links";
import { consoleRoutes } from "./console/console-routes";
import { linkRoutes } from "./links/link-routes";
import type { AnyRoute } from "../platform/http/types";
import type { WebRouteDeps } from "./web-deps";

export type { WebDeps, WebRouteDeps } from "./web-deps";

/** The browser-facing routes: `/link/{token}` (approval links of blocks and capacity requests) and `/console/…` (sign in with the API key). */
export function webRoutes(d: WebRouteDeps): AnyRoute[] {
  const blocks = createApprovalLinks({ store: d.store, history: d.history, links: d.links, clock: d.clock, ids: d.ids, secret: d.secret });
  const requests = d.requests ? createRequestLinks({ requests: d.requests, links: d.links, clock: d.clock, secret: d.secret }) : undefined;
  const links = createLinks({ secret: d.secret, blocks, ...(requests ? { requests } : {}) });
  return [...linkRoutes(links, d.clock, { apiUrl: d.apiUrl }), ...consoleRoutes(d)];
}
