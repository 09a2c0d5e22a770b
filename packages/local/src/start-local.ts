import { type Clock } from "@cbm/core";
import type { EmulatorHandle } from "@cbm/ec2-emulator";
import {
  systemClock,
  createConsoleOutboxNotifier,
  createDynamoClients,
  createDynamoIdempotency,
  createDynamoBlockStore,
  createDynamoHistoryStore,
  createTable,
  createEc2BlockMarket,
  createEc2CapacityProvider,
  createUlidIds,
  fileSecretSource,
  createTick,
  type TickReport,
  createDynamoLinkStore,
  createDynamoSessionStore,
  createDynamoReminderLog,
  createApprovalLinkIssuer,
  createExpiryReminders,
  createApiHandler,
  createWebHandler,
  isWebPath,
  errorPage,
  createLocalObservability,
  createBlockUseCases,
  createDynamoRequestStore,
} from "@cbm/functions";
import { DEMO_BLOCKS, LOCAL_ACCOUNT_ID, registerDemoBlocks, runDemoInstances } from "./demo";
import { freePort, type DynamoLocal } from "./dynamo-local";
import { createHttpListener, serveHttp, type HttpServer } from "./http-adapter";
import { createRequestGate } from "./request-gate";
import { startLocalWorld } from "./local-world";
import { createLocalRequestWorker, createLocalUsageSampler, withPlanning } from "./planning";
import { openDemoRequest } from "./demo-request";
import { defaultStateDir, ensureApiKey, removeApiUrl, writeApiUrl, writeLocalEc2 } from "./state-dir";
import { createTickLoop, type TickLoop } from "./tick-loop";
import { ensureLinkKey } from "./link-key";
import { type StartLocalOptions, type LocalHandle } from "./local-options";
import { createChangeWatcher } from "./change-watcher";
import { fanOut, snsNotifier } from "./local-notifiers";

/** Credentials DynamoDB Local and the emulator accept (DynamoDB Local wants letters and digits only). */
export const LOCAL_CREDENTIALS = { accessKeyId: "AKIDLOCAL", secretAccessKey: "local" };
export const LOCAL_TABLE = "cbm-local";

/** Real interval between ticks: `tickSeconds` of virtual time, at least 1 s of wall time. */
export function tickIntervalMs(tickSeconds: number, clockRate: number): number {
  if (tickSeconds <= 0) return 0;
  const rate = clockRate > 0 ? clockRate : 1;
  return Math.max(1000, Math.round((tickSeconds * 1000) / rate));
}

/**
 * Starts the whole system on 127.0.0.1: DynamoDB Local, the EC2 emulator with its demo blocks, the API (the same
 * Middy handler as in AWS, behind an API Gateway REST v1 adapter) and the scheduler loop. With `aws`, the adapters
 * talk to real AWS instead and neither DynamoDB Local nor the emulator is started.
 */
export async function startLocal(opts: StartLocalOptions = {}): Promise<LocalHandle> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  const print = opts.print ?? ((s: string) => console.log(s));
  const clockRate = opts.clockRate ?? 1;
  const stateDir = opts.stateDir ?? defaultStateDir();
  const key = ensureApiKey(stateDir);
  const cleanups: (() => Promise<void>)[] = [];
  const cleanup = async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
    cleanups.length = 0;
  };

  try {
    let emulator: EmulatorHandle | undefined;
    let dynamo: DynamoLocal | undefined;
    let clock: Clock = systemClock;
    let accountId: string;
    const tableName = opts.aws?.table ?? LOCAL_TABLE;
    let dynamoClients;
    let ec2;
    let market;

    if (opts.aws) {
      accountId = opts.aws.accountId;
      dynamoClients = createDynamoClients({ region: opts.aws.regions[0] });
      await createTable(dynamoClients.doc, tableName);
      ec2 = createEc2CapacityProvider({});
      market = createEc2BlockMarket({});
    } else {
      const world = await startLocalWorld({
        clockRate,
        seed: opts.seed !== false,
        progress: opts.progress ?? (() => undefined),
        ...(opts.dataDir !== undefined ? { dataDir: opts.dataDir } : {}),
        ...(opts.clockStart !== undefined ? { clockStart: opts.clockStart } : {}),
        ...(opts.paymentDelaySeconds !== undefined ? { paymentDelaySeconds: opts.paymentDelaySeconds } : {}),
      });
      cleanups.push(() => world.stop());
      ({ dynamo, emulator } = world);
      const control = emulator.control;
      clock = { now: () => control.now() };
      accountId = LOCAL_ACCOUNT_ID;
      dynamoClients = createDynamoClients({ region: "us-east-1", endpoint: dynamo.endpoint, credentials: LOCAL_CREDENTIALS });
      await createTable(dynamoClients.doc, tableName);
      ec2 = createEc2CapacityProvider({ endpoint: emulator.url, credentials: LOCAL_CREDENTIALS });
      market = createEc2BlockMarket({ endpoint: emulator.url, credentials: LOCAL_CREDENTIALS });
    }
    const documentClient = dynamoClients.doc;
    cleanups.push(async () => documentClient.destroy());

    // The same log lines and metrics as in Lambda: lines at logLevel and above are printed readably, metrics are
    // kept as running totals for GET /_local/metrics.
    const obs = createLocalObservability({ write: print, level: opts.logLevel ?? "warn", now: () => clock.now() });
    const store = createDynamoBlockStore({ client: documentClient, tableName, logger: obs.logger });
    const history = createDynamoHistoryStore({ client: documentClient, tableName, logger: obs.logger });
    const ids = createUlidIds(clock);
    const outbox = createConsoleOutboxNotifier({ canReachApprover: true, print });
    const notifier = opts.aws?.topicArn ? fanOut(outbox, [snsNotifier(opts.aws.topicArn, opts.aws.regions[0]!)]) : outbox;

    if (opts.seed !== false && opts.register !== false && !opts.aws) {
      const demo = await registerDemoBlocks(createBlockUseCases({ store, history, clock, ids }));
      if (demo.existing.length) print(`Kept ${demo.existing.length} demo block(s) from ${opts.dataDir ?? "the data folder"}.`);
    }
    // Usage shows instances running in the demo blocks, except trn2-experiments, which stays idle.
    if (opts.seed !== false && emulator) runDemoInstances(emulator.control);

    // The API key file is re-read when it changes, so editing it rotates the key without a restart.
    const secrets = fileSecretSource(key.path);
    // Approval links and console sessions are signed with a key of their own, kept next to the API key.
    const linkKeySource = fileSecretSource(ensureLinkKey(stateDir).path);
    const linkKey = { current: () => linkKeySource.apiKey(), refresh: () => linkKeySource.refresh!() };
    // A free port is chosen up front so the API knows its own URL (Link headers, OpenAPI servers).
    const port = opts.port === undefined ? 3000 : opts.port === 0 ? await freePort() : opts.port;
    const apiUrl = `http://127.0.0.1:${port}`;
    const loop: { tickLoop?: TickLoop<TickReport>; lastReport?: TickReport } = {};
    const sampler = createLocalUsageSampler({
      client: documentClient,
      tableName,
      store,
      clock,
      ids,
      notifier,
      ...(emulator ? { endpoint: emulator.url, credentials: LOCAL_CREDENTIALS } : {}),
    });
    const api = createApiHandler({
      store,
      history,
      secrets,
      clock,
      ids,
      logger: obs.logger,
      metrics: obs.metrics,
      apiUrl,
      defaultRegion: opts.aws?.regions[0] ?? "us-east-1",
      // Retries with an Idempotency-Key behave as in AWS: the same table keeps the first response.
      idempotency: createDynamoIdempotency({ client: dynamoClients.base, tableName }),
      usage: sampler.usage,
    });
    const requests = createDynamoRequestStore({ client: documentClient, tableName, logger: obs.logger });
    const web = createWebHandler({
      store,
      history,
      secrets,
      clock,
      ids,
      logger: obs.logger,
      metrics: obs.metrics,
      apiUrl,
      secret: linkKey,
      links: createDynamoLinkStore({ client: documentClient, tableName }),
      sessions: createDynamoSessionStore({ client: documentClient, tableName }),
      requests,
      usage: sampler.usage,
    });
    // As API Gateway does in AWS: the browser pages go to their own handler, everything else to the JSON API.
    const handler = (event: Parameters<typeof api>[0], context: Parameters<typeof api>[1]) =>
      isWebPath(event.path) ? web(event, context) : api(event, context);
    // Planning routes (/offerings …) are their own function in AWS; here one listener serves both.
    const planning = withPlanning(handler, {
      market,
      requests,
      store,
      history,
      usage: sampler.usage,
      clock,
      ids,
      secrets,
      defaultRegion: opts.aws?.regions[0] ?? "us-east-1",
      logger: obs.logger,
      metrics: obs.metrics,
    });
    // One issuer for the tick's block links and the request worker's quote links, as in AWS (same key, same path).
    const approvalLinks = createApprovalLinkIssuer({
      secret: linkKey,
      ids,
      apiUrl,
      recipient: opts.aws?.topicArn ? "approval topic" : "outbox",
    });
    const runRequests = createLocalRequestWorker({ requests, market, store, history, notifier, clock, ids, apiUrl, approvalLinks });
    if (opts.seed !== false && opts.register !== false && emulator) await openDemoRequest({ requests, clock, emulator: emulator.control });
    const listener = createHttpListener({
      handler: planning.handler,
      resources: planning.resources,
      apiKey: () => secrets.apiKey(),
      now: () => clock.now(),
      // What WAF and API Gateway do in AWS: only local mode's own host names, sign-in throttled per client.
      gate: createRequestGate({ port, throttled: ["POST /console/session"] }),
      browserError: { isBrowserPath: isWebPath, page: errorPage },
      onError: (e) => print(`HTTP adapter error: ${(e as Error).message}`),
      localRoutes: {
        "GET /_local/outbox": async ({ query }) => {
          const pk = query.get("pk");
          return { status: 200, body: outbox.list().filter((n) => !pk || n.pk === pk) };
        },
        "GET /_local/status": async () => ({
          status: 200,
          body: {
            now: clock.now().toISOString(),
            mode: opts.aws ? "aws" : "local",
            clockRate: opts.aws ? 1 : clockRate,
            accountId,
            tickIntervalMs: tickIntervalMs(opts.tickSeconds ?? 60, clockRate),
            ticks: loop.tickLoop?.runs ?? 0,
            tickRunning: loop.tickLoop?.running ?? false,
            lastTick: loop.lastReport ?? null,
            notifications: outbox.list().length,
            ...(emulator ? { ec2Endpoint: emulator.url } : {}),
            ...(dynamo ? { dynamodbEndpoint: dynamo.endpoint, dynamodbPid: dynamo.pid } : {}),
            table: tableName,
          },
        }),
        "POST /_local/tick": async () => ({ status: 200, body: await loop.tickLoop!.runNow() }),
        "GET /_local/metrics": async () => ({ status: 200, body: obs.snapshot() }),
      },
    });
    const http: HttpServer = await serveHttp(listener, { port });
    cleanups.push(() => http.close());

    const tick = createTick({
      store,
      history,
      ec2,
      notifier,
      clock,
      ids,
      settings: { accountId, autoApprove: false },
      logger: obs.logger,
      apiUrl,
      wallNow: Date.now,
      approvalLinks,
      reminders: createExpiryReminders({
        store,
        log: createDynamoReminderLog({ client: documentClient, tableName }),
        notifier,
        clock,
        apiUrl,
        logger: obs.logger,
      }),
    });
    const watch = createChangeWatcher(store, clock, print);
    const intervalMs = opts.aws ? tickIntervalMs(opts.tickSeconds ?? 60, 1) : tickIntervalMs(opts.tickSeconds ?? 60, clockRate);
    const tickLoop = createTickLoop(
      async () => {
        const report = await tick().catch((e: unknown) => {
          obs.recordTickFailure();
          throw e;
        });
        obs.recordTick(report);
        loop.lastReport = report;
        // Capacity requests run on the same schedule (their own Lambda in AWS); a failure there is reported, not fatal.
        await runRequests().catch((e: unknown) => print(`capacity requests run failed: ${(e as Error).message}`));
        await sampler.run().catch((e: unknown) => print(`usage sampling failed: ${(e as Error).message}`));
        await watch().catch(() => undefined);
        return report;
      },
      { intervalMs, onError: (e) => print(`scheduler tick failed: ${(e as Error).message}`) },
    );
    loop.tickLoop = tickLoop;
    cleanups.push(() => tickLoop.stop());
    writeApiUrl(stateDir, apiUrl);
    if (emulator) writeLocalEc2(stateDir, { endpoint: emulator.url, accountId });
    cleanups.push(async () => removeApiUrl(stateDir, apiUrl));
    const startScheduler = () => {
      if (intervalMs > 0) tickLoop.start();
    };
    if (opts.startScheduler !== false) startScheduler();

    let stopping: Promise<void> | undefined;
    return {
      apiUrl,
      apiKey: key.key,
      keyFile: key.path,
      keyCreated: key.created,
      stateDir,
      port: http.port,
      ...(emulator ? { emulator } : {}),
      ...(dynamo ? { dynamo } : {}),
      accountId,
      clock,
      outbox,
      store,
      tickIntervalMs: intervalMs,
      startScheduler,
      tick: () => tickLoop.runNow(),
      stop: () => (stopping ??= cleanup()),
    };
  } catch (e) {
    await cleanup();
    throw e;
  }
}

export { DEMO_BLOCKS };
