/*
 * @cbm/functions for the code that composes CBM outside Lambda: local mode (packages/local) and the benches. The
 * Lambda entry points are the files in composition/handlers/, which the stacks name by path; the SDK-free names the stacks and
 * the CLI share with these functions are in contracts/ (`@cbm/functions/contracts`). Nothing else of this package
 * is public: eslint refuses a deep import from another package.
 */

// The composition every entry point builds CBM with, and the money-safety settings it decides.
export { createAssembly, type Assembly, type Environment } from "./composition/assembly";
export { assembleApi, assembleWeb, assemblePlanning } from "./composition/http";
export { assembleTick, assembleRequestWorker, assembleUsageSampler, assembleReminders, assembleNotices } from "./composition/scheduled";
export {
  CALL_PROFILES,
  PURCHASE_TIMEOUT_MS,
  SETTLE_MARGIN_MS,
  settleWaitMs,
  type Built,
  type CallProfile,
  type SafetyManifest,
} from "./composition/safety";

// The scheduler and the expiry reminders.
export { createTick, type CreateTickOptions, type TickReport } from "./tick/create-tick";
export { createExpiryReminders } from "./notices/expiry-reminders";

// The HTTP functions as local mode serves them.
export { createApiHandler } from "./composition/create-api-handler";
export { createWebHandler, isWebPath } from "./composition/create-web-handler";
export { createPlanningHandler, PLANNING_PATH, type PlanningHandlerDeps } from "./composition/create-planning-handler";
export { createApprovalLinkIssuer, type ApprovalLinkIssuer } from "./approvals/links/link-issuer";

// Use cases and the capacity-request work.
export { createBlockUseCases } from "./blocks/use-cases/index";
export { createRequestUseCases } from "./requests/use-cases/request-use-cases";

export { createRegisterBlock } from "./requests/worker/register-block";
export { createRequestWorker, type RequestWorkReport } from "./requests/worker/request-worker";
export { sampleUsage } from "./usage/sample-usage";

// Adapters.
export { systemClock } from "./adapters/clock";
export { createUlidIds } from "./adapters/ids";
export { SNS_LIMITS, sdkClientConfig } from "./adapters/call-limits";
export { createConsoleOutboxNotifier, type OutboxNotifier, type OutboxPersistence } from "./adapters/console-outbox-notifier";
export { createSnsNotifier } from "./adapters/sns-notifier";
export { fileSecretSource, type RefreshableSecretSource } from "./adapters/secrets-source";
export { createDocumentClient, createDynamoClients } from "./adapters/dynamo-client";
export { createTable } from "./adapters/dynamo-table";
export { blockToItem, createDynamoBlockStore } from "./adapters/dynamo-block-store";
export { createDynamoHistoryStore } from "./adapters/dynamo-history-store";
export { createDynamoIdempotency } from "./adapters/dynamo-idempotency";
export { createDynamoLinkStore } from "./adapters/dynamo-link-store";
export { createDynamoSessionStore } from "./adapters/dynamo-session-store";
export { createDynamoReminderLog } from "./adapters/dynamo-reminder-log";
export { createDynamoRequestStore } from "./adapters/dynamo-request-store";
export { createDynamoUsageStore, type UsageStore } from "./adapters/dynamo-usage-store";
export { createEc2BlockMarket } from "./adapters/ec2-block-market";
export { createEc2CapacityProvider } from "./adapters/ec2-capacity-provider";
export { createEc2UsageProbe } from "./adapters/ec2-usage-probe";

// Logs and metrics.
export { createLogger, stdoutSink, type LogLevel } from "./platform/observability/logger";
export { createMetrics } from "./platform/observability/metrics";
export { createLocalObservability } from "./platform/observability/local";
export { errorPage } from "./platform/web/error-pages";

// The one place an error becomes an HTTP status and code (the docs test reads every code from it).
export { mapError } from "./platform/http/error-mapper";
