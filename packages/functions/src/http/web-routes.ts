import type { BlockStore, Clock, HistoryStore, Ids, LinkUseStore, RequestStore } from "@cbm/core";
import type { SpendReportDeps } from "../use-cases/reports/spend";
import type { RefreshableSecretSource } from "../adapters/secrets-source";
import type { SigningSecret } from "../links/signing";
import { createApprovalLinks } from "../use-cases/links/approval-links";
import type { BlockUseCases } from "../use-cases/blocks";
import { consoleRoutes } from "./console-routes";
import { linkRoutes } from "./link-routes";
import type { AnyRoute } from "./types";

/** What approval links and the console need beyond the JSON API: the link key and the store of used links. */
export interface WebDeps {
  /** The link key (Secrets Manager in AWS, a file locally): signs link tokens, session cookies and CSRF tokens. */
  secret: SigningSecret;
  links: LinkUseStore;
  /** Capacity requests, for the console's spend (the blocks requests bought). */
  requests?: Pick<RequestStore, "list">;
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

/** The browser-facing routes: `/link/{token}` (approval links) and `/console/…` (sign in with the API key). */
export function webRoutes(d: WebRouteDeps): AnyRoute[] {
  const links = createApprovalLinks({ store: d.store, history: d.history, links: d.links, clock: d.clock, ids: d.ids, secret: d.secret });
  return [...linkRoutes(links, d.clock, { apiUrl: d.apiUrl }), ...consoleRoutes(d)];
}
