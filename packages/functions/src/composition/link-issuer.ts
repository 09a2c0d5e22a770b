import type { Ids } from "@cbm/core";
import { createSecretsManagerSource } from "../adapters/secrets-manager";
import type { Config } from "../config";
import { createApprovalLinkIssuer, type ApprovalLinkIssuer } from "../links/link-issuer";
import { boundedSecretsClient } from "./secrets-client";

/**
 * The approval-link issuer of a scheduled job (the tick's block links, the request worker's quote links). Links
 * need both the key and the API's public URL; without either, notices carry only the CLI and API commands.
 */
export function linkIssuerFrom(
  config: Pick<Config, "region" | "endpoints" | "linkKeySecretId" | "apiUrl" | "linkRecipient">,
  ids: Ids,
): ApprovalLinkIssuer | undefined {
  if (!config.linkKeySecretId || !config.apiUrl) return undefined;
  const linkKey = createSecretsManagerSource({ client: boundedSecretsClient(config), secretId: config.linkKeySecretId });
  return createApprovalLinkIssuer({
    secret: { current: () => linkKey.apiKey(), refresh: () => linkKey.refresh!() },
    ids,
    apiUrl: config.apiUrl,
    recipient: config.linkRecipient ?? "approver",
  });
}
