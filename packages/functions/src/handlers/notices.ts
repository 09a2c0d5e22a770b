import { SNSClient } from "@aws-sdk/client-sns";
import type { Notifier } from "@cbm/core";
import { systemClock } from "../adapters/clock";
import { createLogOnlyNotifier } from "../adapters/console-log-notifier";
import { SNS_LIMITS, TICK_DYNAMO_LIMITS, sdkClientConfig } from "../adapters/call-limits";
import { createDocumentClient } from "../adapters/dynamo-client";
import { createDynamoBlockStore } from "../adapters/dynamo-block-store";
import { createDynamoReminderLog } from "../adapters/dynamo-reminder-log";
import { createSnsNotifier } from "../adapters/sns-notifier";
import { loadConfig } from "../config";
import { createNoticesHandler } from "../events/create-notices-handler";
import { createLogger } from "../observability/logger";
import { createExpiryReminders } from "../tick/expiry-reminders";

export { createNoticesHandler } from "../events/create-notices-handler";

// Composition root (stacks/notices.ts): AWS's Capacity Block events and the expiry reminder schedule invoke this.
const config = loadConfig(process.env);
const logger = createLogger({
  service: "cbm-notices",
  ...(config.logLevel ? { level: config.logLevel } : {}),
  ...(config.stage ? { context: { stage: config.stage } } : {}),
});
const doc = createDocumentClient({
  ...(config.region ? { region: config.region } : {}),
  ...(config.endpoints.dynamodb ? { endpoint: config.endpoints.dynamodb } : {}),
  limits: TICK_DYNAMO_LIMITS,
});
const notifier: Notifier = config.notifyTopicArn
  ? createSnsNotifier({
      client: new SNSClient({ ...(config.region ? { region: config.region } : {}), ...sdkClientConfig(SNS_LIMITS) }),
      topicArn: config.notifyTopicArn,
    })
  : createLogOnlyNotifier(logger);
const store = createDynamoBlockStore({ client: doc, tableName: config.tableName, logger });
// The schedule runs every 5 minutes, so each sweep runs (everyMs 0); a reminder is at most that late.
const reminders = createExpiryReminders({
  store,
  log: createDynamoReminderLog({ client: doc, tableName: config.tableName }),
  notifier,
  clock: systemClock,
  offsetsMs: config.reminderOffsetsMs,
  everyMs: 0,
  logger,
  ...(config.apiUrl ? { apiUrl: config.apiUrl } : {}),
});

export const handler = createNoticesHandler({ store, notifier, clock: systemClock, logger, reminders });
