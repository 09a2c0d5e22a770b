import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Clock, Notifier } from "@cbm/core";
import { startEmulator, type EmulatorHandle } from "@cbm/ec2-emulator";
import {
  assembleTick,
  createAssembly,
  createBlockUseCases,
  createDocumentClient,
  createDynamoBlockStore,
  createDynamoHistoryStore,
  createLogger,
  createTable,
  type createTick,
  type CreateTickOptions,
  type SafetyManifest,
} from "@cbm/functions";
import { startDynamoLocal, type DynamoLocal } from "@cbm/local";

type DynamoDBDocumentClient = ReturnType<typeof createDocumentClient>;

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

export const ACCOUNT = "123456789012";
export const CREDENTIALS = { accessKeyId: "AKIDLOCAL", secretAccessKey: "local" };
export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
export const iso = (ms: number) => new Date(ms).toISOString();

/** Consumed capacity and commands seen by a document client, summed by a middleware. */
export interface DynamoCounters {
  read: number;
  write: number;
  commands: Record<string, number>;
  /** PKs of block records written (Put / TransactWrite Put of SK = BLOCK). */
  blockWrites: string[];
  /** Capacity units per command label (e.g. `Query(due)`). */
  byLabel: Record<string, number>;
  reset(): void;
}

/**
 * Adds ReturnConsumedCapacity: TOTAL to every request of `doc` and sums what DynamoDB reports. Read and write units
 * are told apart by the command (DynamoDB Local reports CapacityUnits only).
 */
export function countCapacity(doc: DynamoDBDocumentClient): DynamoCounters {
  const c: DynamoCounters = {
    read: 0,
    write: 0,
    commands: {},
    blockWrites: [],
    byLabel: {},
    reset() {
      c.byLabel = {};
      c.read = 0;
      c.write = 0;
      c.commands = {};
      c.blockWrites = [];
    },
  };
  // The document client's stack sees the low-level command names and marshalled attribute values.
  const WRITES = new Set([
    "PutItemCommand",
    "UpdateItemCommand",
    "DeleteItemCommand",
    "TransactWriteItemsCommand",
    "BatchWriteItemCommand",
  ]);
  const str = (v: unknown) => (v && typeof v === "object" && "S" in v ? String((v as { S: unknown }).S) : String(v));
  doc.middlewareStack.add(
    (next, context) => async (args) => {
      const name = String((context as { commandName?: string }).commandName ?? "?");
      const input = args.input as Record<string, unknown>;
      input.ReturnConsumedCapacity = "TOTAL";
      const label = name.replace(/Command$/, "") + (input.IndexName ? `(${String(input.IndexName)})` : "");
      c.commands[label] = (c.commands[label] ?? 0) + 1;
      const items: Record<string, unknown>[] = [];
      if (name === "PutItemCommand") items.push(input.Item as Record<string, unknown>);
      if (name === "TransactWriteItemsCommand")
        for (const t of input.TransactItems as { Put?: { Item: Record<string, unknown> } }[]) if (t.Put) items.push(t.Put.Item);
      for (const it of items) if (str(it.SK) === "BLOCK") c.blockWrites.push(str(it.PK));
      const out = await next(args);
      const cc = (out.output as { ConsumedCapacity?: unknown }).ConsumedCapacity;
      const units = (Array.isArray(cc) ? cc : cc ? [cc] : []).reduce(
        (s: number, x: { CapacityUnits?: number }) => s + (x.CapacityUnits ?? 0),
        0,
      );
      if (WRITES.has(name)) c.write += units;
      else c.read += units;
      c.byLabel[label] = (c.byLabel[label] ?? 0) + units;
      return out;
    },
    { step: "initialize", name: "cbmBenchCapacity" },
  );
  return c;
}

export interface BenchWorld {
  dynamo: DynamoLocal;
  emu: EmulatorHandle;
  doc: DynamoDBDocumentClient;
  counters: DynamoCounters;
  tableName: string;
  clock: Clock;
  store: ReturnType<typeof createDynamoBlockStore>;
  history: ReturnType<typeof createDynamoHistoryStore>;
  api: ReturnType<typeof createBlockUseCases>;
  /** The tick as every entry point builds it (composition/), with the bench's page size or concurrency. */
  makeTick(o?: Pick<CreateTickOptions, "concurrency" | "pageSize" | "deadlineMs" | "atRiskEveryMs">): ReturnType<typeof createTick>;
  /** What the bench's tick does to keep money safe, as built (the assembly test compares it with the Lambda's). */
  safety: SafetyManifest;
  stop(): Promise<void>;
}

/** DynamoDB Local + the EC2 emulator (virtual clock) + the tick as the assembly builds it for every entry point. */
export async function startBenchWorld(opts: { start: string; dynamo?: DynamoLocal; notifier?: Notifier }): Promise<BenchWorld> {
  const dynamo = opts.dynamo ?? (await startDynamoLocal());
  const emu = await startEmulator({ port: 0, clock: { start: opts.start } });
  const clock: Clock = { now: () => emu.control.now() };
  const tableName = `bench-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
  // The table is made through a loosely bounded client: DynamoDB Local's first calls after a start are slow.
  const setup = createDocumentClient({ endpoint: dynamo.endpoint, region: "us-east-1", credentials: CREDENTIALS });
  await createTable(setup, tableName);
  setup.destroy();
  const assembly = createAssembly({
    tableName,
    region: "us-east-1",
    endpoints: { dynamodb: dynamo.endpoint, ec2: emu.url },
    credentials: CREDENTIALS,
    clock,
    logger: (service) => createLogger({ service, level: "error" }),
    notifier: opts.notifier ?? { canReachApprover: false, send: async () => undefined },
    accountId: ACCOUNT,
  });
  // The tick's own client: the counters see what the tick costs, as the stores below share it.
  const doc = assembly.dynamo("scheduled").doc;
  const counters = countCapacity(doc);
  const quiet = { warn: () => undefined };
  const store = createDynamoBlockStore({ client: doc, tableName, logger: quiet });
  const history = createDynamoHistoryStore({ client: doc, tableName, logger: quiet });
  const api = createBlockUseCases({ store, history, clock, ids: assembly.ids });
  const safety = assembleTick(assembly).safety;
  return {
    dynamo,
    emu,
    doc,
    counters,
    tableName,
    clock,
    store,
    history,
    api,
    safety,
    makeTick: (tuning = {}) => assembleTick(assembly, { tuning }).fn(ACCOUNT),
    async stop() {
      await emu.stop();
      assembly.destroy();
      if (!opts.dynamo) await dynamo.stop();
    },
  };
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function memory(): { rssMB: string; heapMB: string } {
  const m = process.memoryUsage();
  return { rssMB: (m.rss / 2 ** 20).toFixed(1), heapMB: (m.heapUsed / 2 ** 20).toFixed(1) };
}

/** `--name value` / `--name=value` from argv, parsed as a number when it looks like one. */
export function flag(name: string, fallback: number): number {
  const args = process.argv;
  const i = args.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (i < 0) return fallback;
  const raw = args[i]!.includes("=") ? args[i]!.split("=")[1] : args[i + 1];
  const n = Number(raw);
  if (!Number.isFinite(n)) throw new Error(`--${name} needs a number, got ${raw}`);
  return n;
}
