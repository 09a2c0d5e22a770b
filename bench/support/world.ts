import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Clock, Notifier } from "@cbm/core";
import { startEmulator, type EmulatorHandle } from "@cbm/ec2-emulator";
import {
  createBlockUseCases,
  createDocumentClient,
  createDynamoBlockStore,
  createDynamoHistoryStore,
  createEc2CapacityProvider,
  createTable,
  createTick,
  createUlidIds,
  type CreateTickOptions,
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
  makeTick(o?: Partial<CreateTickOptions>): ReturnType<typeof createTick>;
  stop(): Promise<void>;
}

/** DynamoDB Local + the EC2 emulator (virtual clock) + the real stores and tick: the scheduler's composition. */
export async function startBenchWorld(opts: {
  start: string;
  dynamo?: DynamoLocal;
  notifier?: Notifier;
  requestTimeoutMs?: number;
}): Promise<BenchWorld> {
  const dynamo = opts.dynamo ?? (await startDynamoLocal());
  const emu = await startEmulator({ port: 0, clock: { start: opts.start } });
  const clock: Clock = { now: () => emu.control.now() };
  const ids = createUlidIds(clock);
  const doc = createDocumentClient({ endpoint: dynamo.endpoint, region: "us-east-1", credentials: CREDENTIALS });
  const counters = countCapacity(doc);
  const tableName = `bench-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
  await createTable(doc, tableName);
  const quiet = { warn: () => undefined };
  const store = createDynamoBlockStore({ client: doc, tableName, logger: quiet });
  const history = createDynamoHistoryStore({ client: doc, tableName, logger: quiet });
  const ec2 = createEc2CapacityProvider({ endpoint: emu.url, credentials: CREDENTIALS, requestTimeoutMs: opts.requestTimeoutMs ?? 10_000 });
  const notifier: Notifier = opts.notifier ?? { canReachApprover: false, send: async () => undefined };
  const api = createBlockUseCases({ store, history, clock, ids });
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
    makeTick: (o = {}) => createTick({ store, history, ec2, notifier, clock, ids, settings: { accountId: ACCOUNT }, ...o }),
    async stop() {
      await emu.stop();
      doc.destroy();
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
