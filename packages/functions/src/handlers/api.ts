import { createDynamoBlockStore } from "../adapters/dynamo-block-store";
import { API_DYNAMO_LIMITS } from "../adapters/call-limits";
import { createDynamoClients } from "../adapters/dynamo-client";
import { createDynamoIdempotency } from "../adapters/dynamo-idempotency";
import { createDynamoHistoryStore } from "../adapters/dynamo-history-store";
import { createDynamoUsageStore } from "../adapters/dynamo-usage-store";
import { createSecretsManagerSource } from "../adapters/secrets-manager";
import { loadApiConfig } from "../config";
import { createApiHandler } from "../http/create-api-handler";
import { stdoutSink } from "../observability/logger";
import { createMetrics } from "../observability/metrics";
import { serviceLogger } from "../composition/logger";
import { boundedSecretsClient } from "../composition/secrets-client";

// The factory lives in http/create-api-handler.ts so tests and local mode can build the same handler with their own
// adapters without this module's environment; it is re-exported here for discoverability.
export { createApiHandler, type ApiHandlerDeps } from "../http/create-api-handler";

// Composition root: config is parsed and clients are built once per cold start, reused by every invocation.
const config = loadApiConfig(process.env);
const logger = serviceLogger(config, "cbm-api");
// CloudWatch Embedded Metric Format on stdout: Lambda ships it with the logs, CloudWatch turns it into metrics.
const metrics = createMetrics({ sink: stdoutSink, ...(config.stage ? { defaults: { stage: config.stage } } : {}) });
// Every dependency call is bounded (adapters/call-limits.ts): a stalled DynamoDB or Secrets Manager is a 503 in ~3 s.
const dynamo = createDynamoClients({ region: config.region, endpoint: config.endpoints.dynamodb, limits: API_DYNAMO_LIMITS });
const documentClient = dynamo.doc;
const secretsClient = boundedSecretsClient(config);

export const handler = createApiHandler({
  store: createDynamoBlockStore({ client: documentClient, tableName: config.tableName, logger }),
  history: createDynamoHistoryStore({ client: documentClient, tableName: config.tableName, logger }),
  secrets: createSecretsManagerSource({ client: secretsClient, secretId: config.apiKeySecretId }),
  idempotency: createDynamoIdempotency({ client: dynamo.base, tableName: config.tableName }),
  usage: createDynamoUsageStore({ client: documentClient, tableName: config.tableName }),
  logger,
  metrics,
  apiUrl: config.apiUrl,
  ...(config.region ? { defaultRegion: config.region } : {}),
});
