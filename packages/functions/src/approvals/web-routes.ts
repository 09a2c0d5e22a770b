import type { BlockStore, Clock, HistoryStore, Ids, LinkUseStore, RequestStore } from "@cbm/core";
import type { SpendReportDeps } from "../reports";
import type { RefreshableSecretSource } from "../adapters/secrets-source";
import type { SigningSecret } from "./links/signing";
import type { SessionStore } from "../platform/ports/session-store";
import { createApprovalLinks } from "./links/approval-links";
import { createLinks } from "./links/links";
import { createRequestLinks } from "./links/request-links";
import type { BlockUseCases } from "../blocks";
import { consoleRoutes } from "./console/console-routes";
import { linkRoutes } from "./links/link-routes";
import type { AnyRoute } from "../platform/http/types";

/** What approval links and the console need beyond the JSON API: the link key and the store of used links. */
export interface WebDeps {
  /** The link key (Secrets Manager in AWS, a file locally): signs link tokens and CSRF tokens. */
  secret: SigningSecret;
  links: LinkUseStore;
  /** Console sessions, server-side: sign-out, expiry and key rotation end them for every copy of the cookie. */
  sessions: SessionStore;
  /** Capacity requests: their approval links, and the console's spend (the blocks requests bought). */
  requests?: Pick<RequestStore, "list" | "get" | "update">;
  /** No approver can be reached (no ADMIN_EMAIL): purchases needing approval are approved automatically; say so. */
  autoApproval?: boolean;
}

export interface WebRouteDeps extends WebDeps {
  store: BlockStore;
  history: HistoryStore;
  blocks: BlockUseCases;
  apiKey: RefreshableSecretSource;
  clock: Clock;
  ids: Ids;
  apiUrl?: string;
  /** Usage samples, for used instance-hours in the console's spend. */
  usage?: SpendReportDeps["usage"];
}

/** The browser-facing routes: `/link/{token}` (approval links of blocks and capacity requests) and `/console/…` (sign in with the API key). */
export function webRoutes(d: WebRouteDeps): AnyRoute[] {
  const blocks = createApprovalLinks({ store: d.store, history: d.history, links: d.links, clock: d.clock, ids: d.ids, secret: d.secret });
  const requests = d.requests ? createRequestLinks({ requests: d.requests, links: d.links, clock: d.clock, secret: d.secret }) : undefined;
  const links = createLinks({ secret: d.secret, blocks, ...(requests ? { requests } : {}) });
  return [...linkRoutes(links, d.clock, { apiUrl: d.apiUrl }), ...consoleRoutes(d)];
}
