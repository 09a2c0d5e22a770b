import { type BlockStore, type CapacityProvider, ConfigError, type HistoryStore, type Notifier } from "@cbm/core";
import { limitsOf } from "../adapters/call-limits";
import { createDynamoBlockStore } from "../adapters/dynamo-block-store";
import { createDynamoHistoryStore } from "../adapters/dynamo-history-store";
import { createDynamoReminderLog } from "../adapters/dynamo-reminder-log";
import { createDynamoRequestStore } from "../adapters/dynamo-request-store";
import { createDynamoUsageStore, type UsageStore } from "../adapters/dynamo-usage-store";
import { createEc2BlockMarket } from "../adapters/ec2-block-market";
import { createEc2CapacityProvider, ec2SettingsOf } from "../adapters/ec2-capacity-provider";
import { createEc2UsageProbe } from "../adapters/ec2-usage-probe";
import { createRegisterBlock } from "../requests/worker/register-block";
import { createRequestWorker, type RequestWorkReport } from "../requests/worker/request-worker";
import { createNoticesHandler } from "../notices/create-notices-handler";
import { createExpiryReminders } from "../notices/expiry-reminders";
import { createTick, type CreateTickOptions, type Tick } from "../tick/create-tick";
import { createCreateBlock } from "../blocks/use-cases/create-block";
import { sampleUsage } from "../usage/sample-usage";
import { recordRequestRun, recordRequestRunFailure } from "../platform/observability/job-metrics";
import type { Metrics } from "../platform/observability/metrics";
import type { Assembly } from "./assembly";
import { type Built, SETTLE_MARGIN_MS, settleWaitMs } from "./safety";

/*
 * The scheduled functions: the tick (extensions), the capacity-request worker (new blocks), usage sampling and the
 * notices. Both purchase protocols wait the same derived time before an ambiguous purchase may be settled "not
 * bought": the timeout their EC2 adapter was built with, plus SETTLE_MARGIN_MS.
 */

function notifierOf(a: Assembly): Notifier {
  if (!a.env.notifier) throw new ConfigError("Invalid configuration: the scheduled functions need a notifier");
  return a.env.notifier;
}

function blockStores(a: Assembly, service: string) {
  const { env } = a;
  const dynamo = a.dynamo("scheduled");
  const logger = env.logger(service);
  return {
    dynamo,
    logger,
    store: createDynamoBlockStore({ client: dynamo.doc, tableName: env.tableName, logger }),
    history: createDynamoHistoryStore({ client: dynamo.doc, tableName: env.tableName, logger }),
  };
}

/** The expiry reminders' sweep; `everyMs` is how often it may run (0: every time, for a 5-minute schedule). */
export function assembleReminders(a: Assembly, everyMs?: number, metrics?: Pick<Metrics, "add">): { sweep(): Promise<number> } {
  const { env } = a;
  const { dynamo, logger, store } = blockStores(a, "cbm-notices");
  return createExpiryReminders({
    store,
    log: createDynamoReminderLog({ client: dynamo.doc, tableName: env.tableName }),
    notifier: notifierOf(a),
    clock: env.clock,
    logger,
    ...(metrics ? { metrics } : {}),
    ...(everyMs !== undefined ? { everyMs } : {}),
    ...(env.reminderOffsetsMs ? { offsetsMs: env.reminderOffsetsMs } : {}),
    ...(env.apiUrl ? { apiUrl: env.apiUrl } : {}),
  });
}

/** How much a tick does at once (benches measure these); none of them protects money. */
export type TickTuning = Pick<CreateTickOptions, "concurrency" | "pageSize" | "deadlineMs" | "atRiskEveryMs">;

/** What the tick is built from: its adapters and, per account, its options with the derived settle wait. */
export interface TickParts extends Built<(accountId: string) => CreateTickOptions> {
  store: BlockStore;
  history: HistoryStore;
  ec2: CapacityProvider;
}

/**
 * The tick's adapters and options as every entry point builds them. Test harnesses take these parts to wrap an
 * adapter with a fault; everything else calls assembleTick.
 */
export function tickParts(a: Assembly): TickParts {
  const { env, ids } = a;
  const { dynamo, logger, store, history } = blockStores(a, "cbm-tick");
  const ec2 = createEc2CapacityProvider(a.ec2("scheduled"));
  const settings = ec2SettingsOf(ec2)!;
  const notifier = notifierOf(a);
  const fn = (accountId: string): CreateTickOptions => ({
    store,
    history,
    ec2,
    notifier,
    clock: env.clock,
    ids,
    logger,
    // The engine's settle grace is the margin: an extension's intent waits its call's timeout plus the margin.
    // The stage claims untagged reservations before buying and never buys for another stage's (tick/claim.ts).
    settings: { accountId, ...env.timings, settleGraceMs: SETTLE_MARGIN_MS, ...(env.stage ? { stage: env.stage } : {}) },
    purchaseTimeoutMs: settings.requestTimeoutMs,
    ...(env.wallNow ? { callClock: env.wallNow } : {}),
    ...(env.apiUrl ? { apiUrl: env.apiUrl } : {}),
    ...(a.approvalLinks ? { approvalLinks: a.approvalLinks } : {}),
  });
  // Read back from the options a tick is built with: the wait createTick applies is its timeout plus the grace.
  const built = fn("manifest");
  return {
    fn,
    store,
    history,
    ec2,
    safety: {
      dynamodb: limitsOf(dynamo.doc)!,
      ec2: settings,
      purchase: { callTimeoutMs: built.purchaseTimeoutMs!, settleWaitMs: built.purchaseTimeoutMs! + built.settings.settleGraceMs! },
    },
  };
}

/**
 * The tick, per account (the Lambda learns its account from its ARN). `reminders` runs the expiry reminders at the
 * end of each tick where no notices function of its own does (local mode).
 */
export function assembleTick(
  a: Assembly,
  opts: { reminders?: { sweep(): Promise<number> }; tuning?: TickTuning } = {},
): Built<(accountId: string) => Tick> {
  const parts = tickParts(a);
  const fn = (accountId: string) =>
    createTick({ ...parts.fn(accountId), ...(opts.reminders ? { reminders: opts.reminders } : {}), ...opts.tuning });
  return { fn, safety: parts.safety };
}

/** The capacity-request worker: searches, asks for approval, buys new blocks and registers them. */
export function assembleRequestWorker(a: Assembly): Built<() => Promise<RequestWorkReport>> {
  const { env, ids } = a;
  const { dynamo, logger, store, history } = blockStores(a, "cbm-requests");
  const market = createEc2BlockMarket({ ...a.ec2("scheduled"), ...(env.stage ? { stage: env.stage } : {}) });
  const settings = ec2SettingsOf(market)!;
  // Derived from the adapter as built, so a shorter or longer purchase timeout moves the settle wait with it.
  const callSettleMs = settleWaitMs(settings.requestTimeoutMs);
  // Only the create use case: the worker registers bought blocks and nothing else (the rest would be bundle weight).
  const create = createCreateBlock({ store, history, clock: env.clock, ids, ...(env.region ? { defaultRegion: env.region } : {}) });
  const fn = createRequestWorker({
    requests: createDynamoRequestStore({ client: dynamo.doc, tableName: env.tableName, logger }),
    market,
    registerBlock: createRegisterBlock({ create }, store),
    blocks: store,
    notifier: notifierOf(a),
    clock: env.clock,
    ids,
    // A purchase call in flight ends by the wall clock, whatever the (virtual) Clock says.
    wallNow: env.wallNow ?? Date.now,
    callSettleMs,
    ...(env.apiUrl ? { apiUrl: env.apiUrl } : {}),
    ...(a.approvalLinks ? { approvalLinks: a.approvalLinks } : {}),
  });
  const metrics = env.metrics?.("cbm-requests");
  return {
    fn: metrics ? measuredRequestRuns(fn, metrics) : fn,
    safety: {
      dynamodb: limitsOf(dynamo.doc)!,
      ec2: settings,
      purchase: { callTimeoutMs: settings.requestTimeoutMs, settleWaitMs: callSettleMs },
    },
  };
}

/** Each run of the request worker writes its metrics (job-metrics.ts) and flushes them, whether it finished or threw. */
function measuredRequestRuns(
  run: (opts?: { deadline?: Date }) => Promise<RequestWorkReport>,
  metrics: Pick<Metrics, "add" | "flush">,
): (opts?: { deadline?: Date }) => Promise<RequestWorkReport> {
  return async (opts) => {
    try {
      const report = await run(opts);
      recordRequestRun(metrics, {
        processed: report.handled,
        purchases: report.purchases ?? 0,
        held: report.purchasesHeld ?? 0,
        errors: report.errors.length,
      });
      return report;
    } catch (err) {
      recordRequestRunFailure(metrics);
      throw err;
    } finally {
      metrics.flush();
    }
  };
}

/** Usage sampling (best effort, EC2_USAGE_LIMITS): a page of blocks per run, and the store the API reads usage from. */
export function assembleUsageSampler(a: Assembly): Built<() => Promise<unknown>> & { usage: UsageStore } {
  const { env, ids } = a;
  const { dynamo, store } = blockStores(a, "cbm-usage");
  const usage = createDynamoUsageStore({ client: dynamo.doc, tableName: env.tableName });
  const probe = createEc2UsageProbe({
    ...(env.endpoints.ec2 ? { endpoint: env.endpoints.ec2 } : {}),
    ...(env.credentials ? { credentials: env.credentials } : {}),
  });
  const notifier = notifierOf(a);
  return {
    fn: () => sampleUsage({ store, usage, probe, clock: env.clock, ids, notifier }),
    usage,
    safety: { dynamodb: limitsOf(dynamo.doc)! },
  };
}

/** AWS's Capacity Block events and the expiry reminders (their own 5-minute schedule in AWS, so every sweep runs). */
export function assembleNotices(a: Assembly): Built<ReturnType<typeof createNoticesHandler>> {
  const { env } = a;
  const { dynamo, logger, store } = blockStores(a, "cbm-notices");
  const metrics = env.metrics?.("cbm-notices");
  const fn = createNoticesHandler({
    store,
    notifier: notifierOf(a),
    clock: env.clock,
    logger,
    reminders: assembleReminders(a, 0, metrics),
    ...(metrics ? { metrics } : {}),
  });
  return { fn, safety: { dynamodb: limitsOf(dynamo.doc)! } };
}
