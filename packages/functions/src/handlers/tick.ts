import { ConfigError } from "@cbm/core";
import { systemClock } from "../adapters/clock";
import { TICK_DYNAMO_LIMITS } from "../adapters/call-limits";
import { createDocumentClient } from "../adapters/dynamo-client";
import { createDynamoBlockStore } from "../adapters/dynamo-block-store";
import { createDynamoHistoryStore } from "../adapters/dynamo-history-store";
import { createEc2CapacityProvider } from "../adapters/ec2-capacity-provider";
import { createUlidIds } from "../adapters/ids";
import { loadConfig } from "../config";
import { stdoutSink } from "../observability/logger";
import { createMetrics } from "../observability/metrics";
import { createTick } from "../tick/create-tick";
import { createTickHandler } from "../tick/create-tick-handler";
import { serviceLogger } from "../composition/logger";
import { notifierFrom } from "../composition/notifier";
import { linkIssuerFrom } from "../composition/link-issuer";

export { createTickHandler, accountFromFunctionArn, type TickHandlerDeps } from "../tick/create-tick-handler";

// Composition root: config is parsed and clients are built once per container, at cold start.
const env = process.env;
const isLambda = env.AWS_LAMBDA_FUNCTION_NAME !== undefined;

function compose() {
  const config = loadConfig(env);
  const logger = serviceLogger(config, "cbm-tick");
  // Every dependency call is bounded (adapters/call-limits.ts): a stalled DynamoDB ends the tick in seconds, not at the timeout.
  const doc = createDocumentClient({ region: config.region, endpoint: config.endpoints.dynamodb, limits: TICK_DYNAMO_LIMITS });
  const store = createDynamoBlockStore({ client: doc, tableName: config.tableName, logger });
  const history = createDynamoHistoryStore({ client: doc, tableName: config.tableName, logger });
  const ec2 = createEc2CapacityProvider({ ...(config.endpoints.ec2 ? { endpoint: config.endpoints.ec2 } : {}), requestTimeoutMs: 10_000 });
  const notifier = notifierFrom(config, logger);
  const clock = systemClock;
  const ids = createUlidIds(clock);
  const approvalLinks = linkIssuerFrom(config, ids);
  return createTickHandler({
    logger,
    // CloudWatch Embedded Metric Format on stdout; the alarms in stacks/monitoring.ts read these by `stage`.
    metrics: createMetrics({ sink: stdoutSink, ...(config.stage ? { defaults: { stage: config.stage } } : {}) }),
    ...(config.accountId ? { accountId: config.accountId } : {}),
    tickForAccount: (accountId) =>
      createTick({
        store,
        history,
        ec2,
        notifier,
        clock,
        ids,
        logger,
        // The stage buys only for reservations tagged for it, claiming untagged ones first (tick/claim.ts).
        settings: { accountId, ...config.timings, ...(config.stage ? { stage: config.stage } : {}) },
        ...(config.apiUrl ? { apiUrl: config.apiUrl } : {}),
        ...(approvalLinks ? { approvalLinks } : {}),
      }),
  });
}

/**
 * The Lambda entry point (stacks: `packages/functions/src/handlers/tick.handler`). Composed at cold start inside
 * Lambda; elsewhere (tests, local mode importing the factory) importing this file must not need the environment.
 */
export const handler: ReturnType<typeof createTickHandler> | (() => never) = isLambda
  ? compose()
  : () => {
      throw new ConfigError("handlers/tick.handler runs in Lambda only; use createTickHandler elsewhere");
    };
