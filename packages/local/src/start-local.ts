import { type Clock } from "@cbm/core";
import type { EmulatorHandle } from "@cbm/ec2-emulator";
import {
  systemClock,
  createConsoleOutboxNotifier,
  createDynamoClients,
  createDynamoBlockStore,
  createDynamoRequestStore,
  createDynamoHistoryStore,
  createTable,
  fileSecretSource,
  type TickReport,
  createLocalObservability,
  createBlockUseCases,
  isWebPath,
  errorPage,
} from "@cbm/functions";
import { DEMO_BLOCKS, LOCAL_ACCOUNT_ID, registerDemoBlocks, runDemoInstances } from "./demo";
import { freePort, type DynamoLocal } from "./dynamo-local";
import { createHttpListener, serveHttp, type HttpServer } from "./http-adapter";
import { createRequestGate } from "./request-gate";
import { startLocalWorld } from "./local-world";
import { assembleLocal, localEnvironment, LOCAL_CREDENTIALS, LOCAL_TABLE, type LocalServices, warmUp } from "./local-assembly";
import { openDemoRequest } from "./demo-request";
import { defaultStateDir, ensureApiKey, removeApiUrl, writeApiUrl, writeLocalEc2 } from "./state-dir";
import { createTickLoop, type TickLoop } from "./tick-loop";
import { ensureLinkKey } from "./link-key";
import { type StartLocalOptions, type LocalHandle } from "./local-options";
import { createChangeWatcher } from "./change-watcher";
import { fanOut, snsNotifier } from "./local-notifiers";
import { outboxPersistence } from "./outbox-file";
import { assertPortFree } from "./port-check";

export { LOCAL_CREDENTIALS, LOCAL_TABLE };

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
  // A taken port is reported before DynamoDB Local and the emulator start.
  await assertPortFree(opts.port ?? 3000);
  const key = ensureApiKey(stateDir);
  const cleanups: (() => Promise<void>)[] = [];
  const cleanup = async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
    cleanups.length = 0;
  };

  try {
    let emulator: EmulatorHandle | undefined;
    let dynamo: DynamoLocal | undefined;
    let services: LocalServices | undefined;
    const accountId = opts.aws?.accountId ?? LOCAL_ACCOUNT_ID;
    if (!opts.aws) {
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
      services = { dynamodbEndpoint: dynamo.endpoint, ec2Endpoint: emulator.url, clock: { now: () => control.now() } };
    }
    const clock: Clock = services?.clock ?? systemClock;

    // The same log lines and metrics as in Lambda: lines at logLevel and above are printed readably, metrics are
    // kept as running totals for GET /_local/metrics.
    const obs = createLocalObservability({ write: print, level: opts.logLevel ?? "warn", now: () => clock.now() });
    const outbox = createConsoleOutboxNotifier({
      canReachApprover: true,
      print,
      ...outboxPersistence(opts.aws ? undefined : opts.dataDir),
    });
    const notifier = opts.aws?.topicArn ? fanOut(outbox, [snsNotifier(opts.aws.topicArn, opts.aws.regions[0]!)]) : outbox;
    // The API key file is re-read when it changes, so editing it rotates the key without a restart.
    const secrets = fileSecretSource(key.path);
    // Approval links and console sessions are signed with a key of their own, kept next to the API key.
    const linkKeySource = fileSecretSource(ensureLinkKey(stateDir).path);
    const linkKey = { current: () => linkKeySource.apiKey(), refresh: () => linkKeySource.refresh!() };
    // A free port is chosen up front so the API knows its own URL (Link headers, OpenAPI servers).
    const port = opts.port === undefined ? 3000 : opts.port === 0 ? await freePort() : opts.port;
    const apiUrl = `http://127.0.0.1:${port}`;
    const env = localEnvironment({
      ...(opts.aws ? { aws: opts.aws } : {}),
      ...(services ? { services } : {}),
      obs,
      notifier,
      apiKey: secrets,
      linkKey,
      apiUrl,
      accountId,
    });
    const tableName = env.tableName;
    // Setup (the table, demo blocks and request, the change watcher) goes through loosely bounded clients: DynamoDB
    // Local's first calls after a start are slow. Everything CBM itself does goes through the assembly's clients.
    const setup = createDynamoClients({
      ...(env.region ? { region: env.region } : {}),
      ...(env.endpoints.dynamodb ? { endpoint: env.endpoints.dynamodb } : {}),
      ...(env.credentials ? { credentials: env.credentials } : {}),
    });
    cleanups.push(async () => setup.base.destroy());
    await createTable(setup.doc, tableName);
    const cbm = assembleLocal(env);
    cleanups.push(async () => cbm.assembly.destroy());
    if (services) await warmUp(cbm.assembly, tableName);
    const store = createDynamoBlockStore({ client: setup.doc, tableName, logger: obs.logger });
    // The assembly's id source: ids are increasing within one source only, and history sorts by id, so the demo's
    // events and the API's must come from the same one (the emulator's clock can stand still).
    const ids = cbm.assembly.ids;

    if (opts.seed !== false && opts.register !== false && !opts.aws) {
      const history = createDynamoHistoryStore({ client: setup.doc, tableName, logger: obs.logger });
      const demo = await registerDemoBlocks(createBlockUseCases({ store, history, clock, ids }));
      if (demo.existing.length) print(`Kept ${demo.existing.length} demo block(s) from ${opts.dataDir ?? "the data folder"}.`);
    }
    // Usage shows instances running in the demo blocks, except trn2-experiments, which stays idle.
    if (opts.seed !== false && emulator) runDemoInstances(emulator.control);

    const loop: { tickLoop?: TickLoop<TickReport>; lastReport?: TickReport } = {};
    if (opts.seed !== false && opts.register !== false && emulator) {
      const requests = createDynamoRequestStore({ client: setup.doc, tableName, logger: obs.logger });
      await openDemoRequest({ requests, clock, emulator: emulator.control });
    }
    const listener = createHttpListener({
      handler: cbm.http.handler,
      resources: cbm.http.resources,
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

    const tick = cbm.tick;
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
        await cbm.runRequests().catch((e: unknown) => print(`capacity requests run failed: ${(e as Error).message}`));
        await cbm.usage.fn().catch((e: unknown) => print(`usage sampling failed: ${(e as Error).message}`));
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
      safety: cbm.safety,
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
