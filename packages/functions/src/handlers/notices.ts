import { systemClock } from "../adapters/clock";
import { TICK_DYNAMO_LIMITS } from "../adapters/call-limits";
import { createDocumentClient } from "../adapters/dynamo-client";
import { createDynamoBlockStore } from "../adapters/dynamo-block-store";
import { createDynamoReminderLog } from "../adapters/dynamo-reminder-log";
import { loadConfig } from "../config";
import { createNoticesHandler } from "../events/create-notices-handler";
import { createExpiryReminders } from "../tick/expiry-reminders";
import { serviceLogger } from "../composition/logger";
import { notifierFrom } from "../composition/notifier";

export { createNoticesHandler } from "../events/create-notices-handler";

// Composition root (stacks/notices.ts): AWS's Capacity Block events and the expiry reminder schedule invoke this.
const config = loadConfig(process.env);
const logger = serviceLogger(config, "cbm-notices");
const doc = createDocumentClient({ region: config.region, endpoint: config.endpoints.dynamodb, limits: TICK_DYNAMO_LIMITS });
const notifier = notifierFrom(config, logger);
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
