import type { BlockStore, Clock, HistoryStore, Ids, LinkUseStore, RequestStore } from "@cbm/core";
import type { RefreshableSecretSource } from "../platform/ports/secret-source";
import type { BlockUseCases } from "../blocks";
import type { SessionStore } from "../platform/ports/session-store";
import type { SpendReportDeps } from "../reports";
import type { SigningSecret } from "./links/signing";

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
