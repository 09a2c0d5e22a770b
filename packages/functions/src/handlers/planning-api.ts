import { ConfigError } from "@cbm/core";
import { API_DYNAMO_LIMITS } from "../adapters/call-limits";
import { createDynamoClients } from "../adapters/dynamo-client";
import { createDynamoIdempotency } from "../adapters/dynamo-idempotency";
import { createDynamoBlockStore } from "../adapters/dynamo-block-store";
import { createDynamoHistoryStore } from "../adapters/dynamo-history-store";
import { createDynamoRequestStore } from "../adapters/dynamo-request-store";
import { createDynamoUsageStore } from "../adapters/dynamo-usage-store";
import { createEc2BlockMarket } from "../adapters/ec2-block-market";
import { createSecretsManagerSource } from "../adapters/secrets-manager";
import { loadApiConfig } from "../config";
import { createPlanningHandler } from "../http/create-planning-handler";
import { stdoutSink } from "../observability/logger";
import { createMetrics } from "../observability/metrics";
import { serviceLogger } from "../composition/logger";
import { boundedSecretsClient } from "../composition/secrets-client";

export { createPlanningHandler, type PlanningHandlerDeps } from "../http/create-planning-handler";

// Composition root of the planning API (GET /offerings …): config and clients once per cold start.
const env = process.env;
const isLambda = env.AWS_LAMBDA_FUNCTION_NAME !== undefined;

function compose() {
  const config = loadApiConfig(env);
  if (!config.region) throw new ConfigError("Invalid configuration: AWS_REGION: is required but not set");
  const logger = serviceLogger(config, "cbm-planning");
  const secretsClient = boundedSecretsClient(config);
  const dynamo = createDynamoClients({ region: config.region, endpoint: config.endpoints.dynamodb, limits: API_DYNAMO_LIMITS });
  return createPlanningHandler({
    requests: createDynamoRequestStore({ client: dynamo.doc, tableName: config.tableName, logger }),
    store: createDynamoBlockStore({ client: dynamo.doc, tableName: config.tableName, logger }),
    history: createDynamoHistoryStore({ client: dynamo.doc, tableName: config.tableName, logger }),
    usage: createDynamoUsageStore({ client: dynamo.doc, tableName: config.tableName }),
    idempotency: createDynamoIdempotency({ client: dynamo.base, tableName: config.tableName }),
    // API Gateway gives up at 29 s and the function at 10: short EC2 timeouts and a short describe-limit backoff.
    market: createEc2BlockMarket({
      ...(config.endpoints.ec2 ? { endpoint: config.endpoints.ec2 } : {}),
      requestTimeoutMs: 4_000,
      describeMaxAttempts: 2,
    }),
    secrets: createSecretsManagerSource({ client: secretsClient, secretId: config.apiKeySecretId }),
    defaultRegion: config.region,
    logger,
    metrics: createMetrics({ sink: stdoutSink, ...(config.stage ? { defaults: { stage: config.stage } } : {}) }),
  });
}

/** The Lambda entry point (`packages/functions/src/handlers/planning-api.handler`); composed in Lambda only. */
export const handler: ReturnType<typeof createPlanningHandler> | (() => never) = isLambda
  ? compose()
  : () => {
      throw new ConfigError("handlers/planning-api.handler runs in Lambda only; use createPlanningHandler elsewhere");
    };
