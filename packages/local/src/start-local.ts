import { SNSClient } from "@aws-sdk/client-sns";
import { MAX_PAGE_LIMIT, type Block, type BlockStore, type Clock, type Notification, type Notifier } from "@cbm/core";
import type { EmulatorHandle } from "@cbm/ec2-emulator";
import {
  systemClock,
  createConsoleOutboxNotifier,
  type OutboxNotifier,
  createDynamoClients,
  createDynamoIdempotency,
  sdkClientConfig,
  SNS_LIMITS,
  createSnsNotifier,
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
  createDynamoReminderLog,
  createApprovalLinkIssuer,
  createExpiryReminders,
  createApiHandler,
  createWebHandler,
  isWebPath,
  createLocalObservability,
  type LogLevel,
  createBlockUseCases,
  createDynamoRequestStore,
} from "@cbm/functions";
import { DEMO_BLOCKS, LOCAL_ACCOUNT_ID, registerDemoBlocks } from "./demo";
import { freePort, type DynamoLocal } from "./dynamo-local";
import { createHttpListener, serveHttp, type HttpServer } from "./http-adapter";
import { startLocalWorld } from "./local-world";
import { createLocalRequestWorker, createLocalUsageSampler, withPlanning } from "./planning";
import { openDemoRequest } from "./demo-request";
import { defaultStateDir, ensureApiKey, removeApiUrl, writeApiUrl, writeLocalEc2 } from "./state-dir";
import { createTickLoop, type TickLoop } from "./tick-loop";
import { ensureLinkKey } from "./link-key";

/** Credentials DynamoDB Local and the emulator accept (DynamoDB Local wants letters and digits only). */
export const LOCAL_CREDENTIALS = { accessKeyId: "AKIDLOCAL", secretAccessKey: "local" };
export const LOCAL_TABLE = "cbm-local";

export interface AwsModeOptions {
  /** Regions CBM works in; the first is the home of the table and the topic. */
  regions: string[];
  table: string;
  topicArn?: string;
  /** The account that owns the blocks (only the owner can extend). */
  accountId: string;
}

export interface StartLocalOptions {
  /** API port on 127.0.0.1; 0 picks a free one. Default 3000. */
  port?: number;
  /** Virtual seconds between scheduler ticks; 0 disables the loop (tests call tick()). Default 60. */
  tickSeconds?: number;
  /** The emulator's clock runs this many times faster than the wall clock; 0 freezes it (tests). Default 1. */
  clockRate?: number;
  /** Where the virtual clock starts; default now. */
  clockStart?: string;
  /**
   * Keep everything in this folder instead of memory: DynamoDB Local's data (CBM's records) and the emulator's world
   * (blocks, extensions, ledger, clock). One local mode at a time may use a folder.
   */
  dataDir?: string;
  /** Seed the emulator's demo blocks and register them in CBM. Default true. */
  seed?: boolean;
  /** With `seed`, also register the demo blocks in CBM; false leaves them for `cbm import`. Default true. */
  register?: boolean;
  /** Where the API key and URL are kept; default <project root>/.cbm/local. */
  stateDir?: string;
  /** Run against real AWS (default credential chain) instead of DynamoDB Local and the emulator. */
  aws?: AwsModeOptions;
  /** Payment clearing delay of the emulator, in virtual seconds. Default 300. */
  paymentDelaySeconds?: number;
  /** Start the tick loop at once (default); false waits for handle.startScheduler() (e.g. after a banner). */
  startScheduler?: boolean;
  /** Human-readable output (notifications, status changes, tick problems). Default console.log; tests pass a no-op. */
  print?: (text: string) => void;
  /** Lines about a slow start (DynamoDB Local starting, a restored world …); default: none. */
  progress?: (line: string) => void;
  /** Log lines (the same as in Lambda, readable) at or above this level reach `print`. Default "warn". */
  logLevel?: LogLevel;
}

export interface LocalHandle {
  apiUrl: string;
  apiKey: string;
  keyFile: string;
  keyCreated: boolean;
  stateDir: string;
  port: number;
  /** Absent with `aws`. */
  emulator?: EmulatorHandle;
  dynamo?: DynamoLocal;
  accountId: string;
  /** The clock CBM runs on: the emulator's (virtual) clock locally, the system clock with `aws`. */
  clock: Clock;
  outbox: OutboxNotifier;
  store: BlockStore;
  /** Real milliseconds between ticks (0 = no loop). */
  tickIntervalMs: number;
  /** Starts the tick loop (first tick at once); a no-op when already started or disabled. */
  startScheduler(): void;
  /** Runs one scheduler tick now, after any running one (ticks never overlap). */
  tick(): Promise<TickReport>;
  stop(): Promise<void>;
}

/** Real interval between ticks: `tickSeconds` of virtual time, at least 1 s of wall time. */
export function tickIntervalMs(tickSeconds: number, clockRate: number): number {
  if (tickSeconds <= 0) return 0;
  const rate = clockRate > 0 ? clockRate : 1;
  return Math.max(1000, Math.round((tickSeconds * 1000) / rate));
}

const shortIso = (iso: string | undefined | null) => (iso ? iso.slice(0, 16).replace("T", " ") + "Z" : "-");

/** Sends to every notifier; the outbox always keeps a copy so the API and CLI can list notifications. */
function fanOut(outbox: OutboxNotifier, others: Notifier[]): Notifier {
  return {
    canReachApprover: true,
    async send(n: Notification) {
      await outbox.send(n);
      for (const o of others) await o.send(n);
    },
  };
}

function snsNotifier(topicArn: string, region: string): Notifier {
  return createSnsNotifier({ client: new SNSClient({ region, ...sdkClientConfig(SNS_LIMITS) }), topicArn });
}

async function listAll(store: BlockStore): Promise<Block[]> {
  const out: Block[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.list({ limit: MAX_PAGE_LIMIT, ...(cursor ? { cursor } : {}) });
    out.push(...page.items);
    cursor = page.cursor;
  } while (cursor);
  return out;
}

/** Prints what changed for a person watching: status moves, end dates EC2 moved. */
function createChangeWatcher(store: BlockStore, clock: Clock, print: (s: string) => void) {
  let last = new Map<string, { status: string; endDate?: string }>();
  return async () => {
    const blocks = await listAll(store);
    const next = new Map(blocks.map((b) => [b.PK, { status: b.status, ...(b.endDate ? { endDate: b.endDate } : {}) }]));
    for (const b of blocks) {
      const before = last.get(b.PK);
      const changes: string[] = [];
      if (before?.status !== b.status) changes.push(before ? `${before.status} → ${b.status}` : b.status);
      if (before?.endDate && b.endDate && before.endDate !== b.endDate)
        changes.push(`end ${shortIso(before.endDate)} → ${shortIso(b.endDate)}`);
      if (changes.length)
        print(`[${shortIso(clock.now().toISOString())}] ${b.PK}: ${changes.join(", ")}${b.statusReason ? ` (${b.statusReason})` : ""}`);
    }
    last = next;
  };
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

    // The API key file is re-read when it changes, so editing it rotates the key without a restart.
    const secrets = fileSecretSource(key.path);
    // Approval links and console sessions are signed with a key of their own, kept next to the API key.
    const linkKeySource = fileSecretSource(ensureLinkKey(stateDir).path);
    const linkKey = { current: () => linkKeySource.apiKey(), refresh: () => linkKeySource.refresh!() };
    // A free port is chosen up front so the API knows its own URL (Link headers, OpenAPI servers).
    const port = opts.port === undefined ? 3000 : opts.port === 0 ? await freePort() : opts.port;
    const apiUrl = `http://127.0.0.1:${port}`;
    const loop: { tickLoop?: TickLoop<TickReport>; lastReport?: TickReport } = {};
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
    });
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
    });
    // As API Gateway does in AWS: the browser pages go to their own handler, everything else to the JSON API.
    const handler = (event: Parameters<typeof api>[0], context: Parameters<typeof api>[1]) =>
      isWebPath(event.path) ? web(event, context) : api(event, context);
    // Planning routes (/offerings …) are their own function in AWS; here one listener serves both.
    const requests = createDynamoRequestStore({ client: documentClient, tableName, logger: obs.logger });
    const sampler = createLocalUsageSampler({
      client: documentClient,
      tableName,
      store,
      clock,
      ids,
      notifier,
      ...(emulator ? { endpoint: emulator.url, credentials: LOCAL_CREDENTIALS } : {}),
    });
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
    const runRequests = createLocalRequestWorker({ requests, market, store, history, notifier, clock, ids, apiUrl });
    if (opts.seed !== false && opts.register !== false && emulator) await openDemoRequest({ requests, clock, emulator: emulator.control });
    const listener = createHttpListener({
      handler: planning.handler,
      resources: planning.resources,
      apiKey: () => secrets.apiKey(),
      now: () => clock.now(),
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
      approvalLinks: createApprovalLinkIssuer({
        secret: linkKey,
        ids,
        apiUrl,
        recipient: opts.aws?.topicArn ? "approval topic" : "outbox",
      }),
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
