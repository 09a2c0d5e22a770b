import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { createDynamoBlockStore } from "../adapters/dynamo-block-store";
import { API_DYNAMO_LIMITS, API_SECRETS_LIMITS, sdkClientConfig, withCallBudget } from "../adapters/call-limits";
import { createDynamoClients } from "../adapters/dynamo-client";
import { createDynamoIdempotency } from "../adapters/dynamo-idempotency";
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
const logger = createLogger({
  service: "cbm-api",
  ...(config.logLevel ? { level: config.logLevel } : {}),
  ...(config.stage ? { context: { stage: config.stage } } : {}),
});
// CloudWatch Embedded Metric Format on stdout: Lambda ships it with the logs, CloudWatch turns it into metrics.
const metrics = createMetrics({ sink: stdoutSink, ...(config.stage ? { defaults: { stage: config.stage } } : {}) });
// Every dependency call is bounded (adapters/call-limits.ts): a stalled DynamoDB or Secrets Manager is a 503 in ~3 s.
const dynamo = createDynamoClients({ region: config.region, endpoint: config.endpoints.dynamodb, limits: API_DYNAMO_LIMITS });
const documentClient = dynamo.doc;
const secretsClient = withCallBudget(
  new SecretsManagerClient({
    ...(config.region ? { region: config.region } : {}),
    ...(config.endpoints.secretsManager ? { endpoint: config.endpoints.secretsManager } : {}),
    ...sdkClientConfig(API_SECRETS_LIMITS),
  }),
  API_SECRETS_LIMITS.budgetMs,
);

export const handler = createApiHandler({
  store: createDynamoBlockStore({ client: documentClient, tableName: config.tableName, logger }),
  history: createDynamoHistoryStore({ client: documentClient, tableName: config.tableName, logger }),
  secrets: createSecretsManagerSource({ client: secretsClient, secretId: config.apiKeySecretId }),
  idempotency: createDynamoIdempotency({ client: dynamo.base, tableName: config.tableName }),
  logger,
  metrics,
  apiUrl: config.apiUrl,
  ...(config.region ? { defaultRegion: config.region } : {}),
});
