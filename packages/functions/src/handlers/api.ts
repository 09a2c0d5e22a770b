import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { createDynamoBlockStore } from "../adapters/dynamo-block-store";
import { createDocumentClient } from "../adapters/dynamo-client";
import { createDynamoHistoryStore } from "../adapters/dynamo-history-store";
import { createSecretsManagerSource } from "../adapters/secrets-manager";
import { loadApiConfig } from "../config";
import { createApiHandler } from "../http/create-api-handler";
import { createLogger, stdoutSink } from "../observability/logger";
import { createMetrics } from "../observability/metrics";

// The factory lives in http/create-api-handler.ts so tests and local mode can build the same handler with their own
// adapters without this module's environment; it is re-exported here for discoverability.
export { createApiHandler, type ApiHandlerDeps } from "../http/create-api-handler";

// Composition root: config is parsed and clients are built once per cold start, reused by every invocation.
const config = loadApiConfig(process.env);
const logger = createLogger({ service: "cbm-api", ...(config.logLevel ? { level: config.logLevel } : {}), ...(config.stage ? { context: { stage: config.stage } } : {}) });
// CloudWatch Embedded Metric Format on stdout: Lambda ships it with the logs, CloudWatch turns it into metrics.
const metrics = createMetrics({ sink: stdoutSink, ...(config.stage ? { defaults: { stage: config.stage } } : {}) });
const documentClient = createDocumentClient({ region: config.region, endpoint: config.endpoints.dynamodb });

export const handler = createApiHandler({
  store: createDynamoBlockStore({ client: documentClient, tableName: config.tableName, logger }),
  history: createDynamoHistoryStore({ client: documentClient, tableName: config.tableName, logger }),
  secrets: createSecretsManagerSource({
    client: new SecretsManagerClient({ ...(config.region ? { region: config.region } : {}), ...(config.endpoints.secretsManager ? { endpoint: config.endpoints.secretsManager } : {}) }),
    secretId: config.apiKeySecretId,
  }),
  logger,
  metrics,
  apiUrl: config.apiUrl,
  ...(config.region ? { defaultRegion: config.region } : {}),
});
