import { ConfigError } from "@cbm/core";
import { API_DYNAMO_LIMITS } from "../adapters/call-limits";
import { createDynamoBlockStore } from "../adapters/dynamo-block-store";
import { createDynamoClients } from "../adapters/dynamo-client";
import { createDynamoHistoryStore } from "../adapters/dynamo-history-store";
import { createDynamoLinkStore } from "../adapters/dynamo-link-store";
import { createDynamoSessionStore } from "../adapters/dynamo-session-store";
import { createDynamoRequestStore } from "../adapters/dynamo-request-store";
import { createDynamoUsageStore } from "../adapters/dynamo-usage-store";
import { createSecretsManagerSource } from "../adapters/secrets-manager";
import { loadApiConfig } from "../config";
import { createWebHandler } from "../http/create-web-handler";
import { stdoutSink } from "../observability/logger";
import { createMetrics } from "../observability/metrics";
import { serviceLogger } from "../composition/logger";
import { boundedSecretsClient } from "../composition/secrets-client";

export { createWebHandler, type WebHandlerDeps } from "../http/create-web-handler";

// Composition root of the browser pages (`/link/…`, `/console…`), a function of its own behind the API's gateway.
const config = loadApiConfig(process.env);
if (!config.linkKeySecretId) throw new ConfigError("Invalid configuration: LINK_KEY_SECRET_ID: is required but not set");
const logger = serviceLogger(config, "cbm-web");
const metrics = createMetrics({ sink: stdoutSink, ...(config.stage ? { defaults: { stage: config.stage } } : {}) });
// The same call limits as the JSON API: a page waits seconds at most for a stalled dependency.
const dynamo = createDynamoClients({ region: config.region, endpoint: config.endpoints.dynamodb, limits: API_DYNAMO_LIMITS });
const secretsClient = boundedSecretsClient(config);
// The link key signs approval links and console sessions; it is never the API key.
const linkKey = createSecretsManagerSource({ client: secretsClient, secretId: config.linkKeySecretId });

export const handler = createWebHandler({
  store: createDynamoBlockStore({ client: dynamo.doc, tableName: config.tableName, logger }),
  history: createDynamoHistoryStore({ client: dynamo.doc, tableName: config.tableName, logger }),
  links: createDynamoLinkStore({ client: dynamo.doc, tableName: config.tableName }),
  sessions: createDynamoSessionStore({ client: dynamo.doc, tableName: config.tableName }),
  // The console's spend is the spend report: it needs the blocks capacity requests bought and their usage.
  requests: createDynamoRequestStore({ client: dynamo.doc, tableName: config.tableName, logger }),
  usage: createDynamoUsageStore({ client: dynamo.doc, tableName: config.tableName }),
  secrets: createSecretsManagerSource({ client: secretsClient, secretId: config.apiKeySecretId }),
  secret: { current: () => linkKey.apiKey(), refresh: () => linkKey.refresh!() },
  logger,
  metrics,
  ...(config.apiUrl ? { apiUrl: config.apiUrl } : {}),
});
