import { SNSClient } from "@aws-sdk/client-sns";
import type { Notifier } from "@cbm/core";
import { systemClock } from "../adapters/clock";
import { createLogOnlyNotifier } from "../adapters/console-log-notifier";
import { createDocumentClient } from "../adapters/dynamo-client";
import { createDynamoBlockStore } from "../adapters/dynamo-block-store";
import { createSnsNotifier } from "../adapters/sns-notifier";
import { loadConfig } from "../config";
import { createCapacityEventsHandler } from "../events/create-capacity-events-handler";
import { createLogger } from "../observability/logger";

export { createCapacityEventsHandler } from "../events/create-capacity-events-handler";

// Composition root: the EventBridge rule for AWS's Capacity Block events invokes this (stacks/capacity-events.ts).
const config = loadConfig(process.env);
const logger = createLogger({ service: "cbm-events", ...(config.logLevel ? { level: config.logLevel } : {}), ...(config.stage ? { context: { stage: config.stage } } : {}) });
const doc = createDocumentClient({ ...(config.region ? { region: config.region } : {}), ...(config.endpoints.dynamodb ? { endpoint: config.endpoints.dynamodb } : {}) });
const notifier: Notifier = config.notifyTopicArn
  ? createSnsNotifier({ client: new SNSClient({ ...(config.region ? { region: config.region } : {}) }), topicArn: config.notifyTopicArn })
  : createLogOnlyNotifier(logger);

export const handler = createCapacityEventsHandler({ store: createDynamoBlockStore({ client: doc, tableName: config.tableName, logger }), notifier, clock: systemClock, logger });
