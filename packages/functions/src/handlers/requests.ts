import { ConfigError } from "@cbm/core";
import { systemClock } from "../adapters/clock";
import { TICK_DYNAMO_LIMITS } from "../adapters/call-limits";
import { createDocumentClient } from "../adapters/dynamo-client";
import { createDynamoBlockStore } from "../adapters/dynamo-block-store";
import { createDynamoHistoryStore } from "../adapters/dynamo-history-store";
import { createDynamoRequestStore } from "../adapters/dynamo-request-store";
import { createDynamoUsageStore } from "../adapters/dynamo-usage-store";
import { createEc2BlockMarket } from "../adapters/ec2-block-market";
import { createEc2UsageProbe } from "../adapters/ec2-usage-probe";
import { createUlidIds } from "../adapters/ids";
import { loadConfig } from "../config";
import { createRequestsHandler } from "../requests/create-requests-handler";
import { createRegisterBlock } from "../requests/register-block";
import { createRequestWorker } from "../requests/request-worker";
import { createCreateBlock } from "../use-cases/blocks/create-block";
import { sampleUsage } from "../usage/sample-usage";
import { serviceLogger } from "../composition/logger";
import { linkIssuerFrom } from "../composition/link-issuer";
import { notifierFrom } from "../composition/notifier";

export { createRequestWorker } from "../requests/request-worker";

/*
 * The capacity-request worker as its own Lambda on the tick's schedule: the tick's bundle is at its size budget,
 * and a request's purchase protocol is independent of the extension protocol (separate records, separate intents).
 */
const env = process.env;
const isLambda = env.AWS_LAMBDA_FUNCTION_NAME !== undefined;

function compose() {
  const config = loadConfig(env);
  const logger = serviceLogger(config, "cbm-requests");
  const doc = createDocumentClient({ region: config.region, endpoint: config.endpoints.dynamodb, limits: TICK_DYNAMO_LIMITS });
  const clock = systemClock;
  const ids = createUlidIds(clock);
  const store = createDynamoBlockStore({ client: doc, tableName: config.tableName, logger });
  // Only the create use case: the worker registers bought blocks and nothing else (the rest would be bundle weight).
  const create = createCreateBlock({
    store,
    history: createDynamoHistoryStore({ client: doc, tableName: config.tableName, logger }),
    clock,
    ids,
    ...(config.region ? { defaultRegion: config.region } : {}),
  });
  const notifier = notifierFrom(config, logger);
  // Quote notices carry a signed approval link, as the tick's block notices do.
  const approvalLinks = linkIssuerFrom(config, ids);
  const run = createRequestWorker({
    requests: createDynamoRequestStore({ client: doc, tableName: config.tableName, logger }),
    market: createEc2BlockMarket({
      ...(config.endpoints.ec2 ? { endpoint: config.endpoints.ec2 } : {}),
      requestTimeoutMs: 10_000,
      stage: config.stage,
    }),
    registerBlock: createRegisterBlock({ create }, store),
    blocks: store,
    notifier,
    clock,
    ids,
    // The call's 10 s timeout + 1 s abort backstop, plus a margin for EC2's tag filter to show a fresh reservation.
    callSettleMs: 2 * 60_000,
    ...(config.apiUrl ? { apiUrl: config.apiUrl } : {}),
    ...(approvalLinks ? { approvalLinks } : {}),
  });
  const usage = createDynamoUsageStore({ client: doc, tableName: config.tableName });
  // Bounded by EC2_USAGE_LIMITS (5 s a call): sampling must not hold the run it rides on.
  const probe = createEc2UsageProbe(config.endpoints.ec2 ? { endpoint: config.endpoints.ec2 } : {});
  // Usage sampling rides on the same schedule: a page of blocks per run, a full pass every ten minutes.
  return createRequestsHandler({ run, logger, afterRun: () => sampleUsage({ store, usage, probe, clock, ids, notifier }) });
}

/** The Lambda entry point (`packages/functions/src/handlers/requests.handler`); composed in Lambda only. */
export const handler: ReturnType<typeof createRequestsHandler> | (() => never) = isLambda
  ? compose()
  : () => {
      throw new ConfigError("handlers/requests.handler runs in Lambda only; use createRequestWorker elsewhere");
    };
