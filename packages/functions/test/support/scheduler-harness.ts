import { randomUUID } from "node:crypto";
import { afterEach, inject } from "vitest";
import type { Block, BlockStore, CapacityProvider, Clock, HistoryEvent, Notifier } from "@cbm/core";
import { startEmulator, type EmulatorHandle, type SeedBlockSpec } from "@cbm/ec2-emulator";
import { createConsoleOutboxNotifier, type OutboxNotifier } from "../../src/adapters/console-outbox-notifier";
import { createDocumentClient } from "../../src/adapters/dynamo-client";
import { createTable } from "../../src/adapters/dynamo-table";
import { createEc2CapacityProvider } from "../../src/adapters/ec2-capacity-provider";
import { createAssembly, type Environment } from "../../src/composition/assembly";
import { tickParts } from "../../src/composition/scheduled";
import { silentLogger } from "../../src/platform/observability/logger";
import { createBlockUseCases } from "../../src/blocks/use-cases";
import { overTheWire } from "./wire-api";
import { createTick, type CreateTickOptions, type TickReport } from "../../src/tick/create-tick";

import { ACCOUNT } from "./blocks";

export { ACCOUNT, OTHER_ACCOUNT } from "./blocks";
const CREDENTIALS = { accessKeyId: "AKIDLOCAL", secretAccessKey: "local" };
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export interface HarnessOptions {
  dynamoEndpoint: string;
  /** Virtual start of the emulator's clock (the tick's Clock reads the same clock). */
  start: string;
  /** Local mode says true (approval flows visible); false = no topic → automatic approval. */
  canReachApprover?: boolean;
  requestTimeoutMs?: number;
}

export interface RegisterOptions {
  seed?: Partial<SeedBlockSpec>;
  endDate: string;
  policy?: Record<string, unknown>;
  name?: string;
  /** Register without seeding in EC2 (unknown reservation). */
  capacityReservationId?: string;
}

/**
 * One scheduler world per test: the EC2 emulator (virtual clock, over HTTP with the unmodified SDK), a fresh
 * DynamoDB Local table, the real stores, the API's block use cases and an outbox notifier.
 */
export async function startSchedulerHarness(opts: HarnessOptions) {
  const emu: EmulatorHandle = await startEmulator({ port: 0, clock: { start: opts.start } });
  const clock: Clock = { now: () => emu.control.now() };
  const tableName = `sched-${randomUUID()}`;
  // The table is made through a loosely bounded client; CBM's own calls go through the assembly's clients.
  const setup = createDocumentClient({ endpoint: opts.dynamoEndpoint, region: "us-east-1", credentials: CREDENTIALS });
  await createTable(setup, tableName);
  setup.destroy();
  const outbox: OutboxNotifier = createConsoleOutboxNotifier({ canReachApprover: opts.canReachApprover ?? true, print: () => {} });
  // The tick as every entry point builds it (composition/), with a purchase timeout short enough for a test to
  // provoke; the settle wait is still derived from it with the production margin.
  // In AWS the Clock is the wall clock; here a test moves the Clock, and time it moves has passed for calls too.
  const startVirtual = clock.now().getTime();
  const startReal = Date.now();
  const callClock = () => startReal + Math.max(Date.now() - startReal, clock.now().getTime() - startVirtual);
  const env: Environment = {
    tableName,
    region: "us-east-1",
    endpoints: { dynamodb: opts.dynamoEndpoint, ec2: emu.url },
    credentials: CREDENTIALS,
    clock,
    wallNow: callClock,
    logger: () => silentLogger,
    notifier: outbox,
    accountId: ACCOUNT,
  };
  const assembly = createAssembly(env, { purchaseTimeoutMs: opts.requestTimeoutMs ?? 2_000 });
  const parts = tickParts(assembly);
  const { store, history, ec2 } = parts;
  const ids = assembly.ids;
  const api = overTheWire(createBlockUseCases({ store, history, clock, ids }));

  const makeTick = (overrides: Partial<CreateTickOptions> = {}) => createTick({ ...parts.fn(ACCOUNT), concurrency: 4, ...overrides });
  const defaultTick = makeTick();

  const h = {
    emu,
    tableName,
    control: emu.control,
    clock,
    ids,
    store,
    history,
    ec2,
    /**
     * EC2 as the tick sees it, built the same way but with calls that time out after `requestTimeoutMs`: for a
     * phase in which a loaded machine must not turn a slow answer into a timeout nobody planned.
     */
    ec2TimingOutAfter: (requestTimeoutMs: number): CapacityProvider =>
      createEc2CapacityProvider(createAssembly(env, { purchaseTimeoutMs: requestTimeoutMs }).ec2("scheduled")),
    outbox,
    api,
    makeTick,
    tick: (): Promise<TickReport> => defaultTick(),
    /** Seeds the reservation in EC2 and registers it through the API's create use case. */
    async register(o: RegisterOptions): Promise<Block> {
      const cr =
        o.capacityReservationId ??
        emu.control.seedBlock({ region: "us-east-1", instanceCount: 2, endDate: o.endDate, ...o.seed }).capacityReservationId;
      const { block } = await api.create(
        {
          capacityReservationId: cr,
          region: o.seed?.region ?? "us-east-1",
          ...(o.name ? { name: o.name } : {}),
          ...(o.policy ? { policy: o.policy } : {}),
        },
        { actor: "test" },
      );
      return block;
    },
    advance: (ms: number) => emu.control.advance(ms),
    /** Moves the clock to `iso` (forward only). */
    async advanceTo(iso: string) {
      const ms = Date.parse(iso) - emu.control.now().getTime();
      if (ms > 0) emu.control.advance(ms);
    },
    get: async (pk: string): Promise<Block> => {
      const b = await store.get(pk);
      if (!b) throw new Error(`no block ${pk}`);
      return b;
    },
    events: async (pk: string): Promise<HistoryEvent[]> => (await history.list(pk, { limit: 200 })).items,
    ledger: (cr: string) => emu.control.ledger().filter((l) => l.capacityReservationId === cr),
    notes: (pk: string) => outbox.list().filter((n) => n.pk === pk),
    /** Ticks, advancing the clock by `stepMs` before each, until `until` holds or `max` ticks ran. */
    async tickUntil(until: () => Promise<boolean>, { stepMs = 60_000, max = 50 } = {}): Promise<number> {
      for (let i = 1; i <= max; i++) {
        emu.control.advance(stepMs);
        await defaultTick();
        if (await until()) return i;
      }
      throw new Error(`condition not reached after ${max} ticks`);
    },
    /** What the harness's tick does to keep money safe, as the assembly built it. */
    safety: parts.safety,
    async stop() {
      await emu.stop();
      assembly.destroy();
    },
  };
  return h;
}

export type SchedulerHarness = Awaited<ReturnType<typeof startSchedulerHarness>>;

/**
 * For a test file whose tests each build their own world: returns `harness(opts)`, which starts one on the run's
 * DynamoDB Local with the file's defaults, and stops the test's world after it.
 */
export function useSchedulerHarness(defaults: Omit<HarnessOptions, "dynamoEndpoint">) {
  let current: SchedulerHarness | undefined;
  afterEach(async () => {
    await current?.stop();
    current = undefined;
  });
  return async (opts: Partial<HarnessOptions> = {}): Promise<SchedulerHarness> => {
    current = await startSchedulerHarness({ dynamoEndpoint: inject("dynamoEndpoint"), ...defaults, ...opts });
    return current;
  };
}

/** Wraps a provider, letting a test intercept single calls. */
/**
 * Writes an intent for `window` on block `pk` as a tick does before it calls EC2, and nothing after it: what a tick
 * that died there leaves behind. `createdAt` dates the intent; `extra` sets more of the stored record.
 */
export async function leaveIntent(h: SchedulerHarness, pk: string, window: string, createdAt: string, extra: Partial<Block> = {}) {
  const stored = await h.get(pk);
  await h.store.update(
    {
      ...stored,
      status: "purchasing",
      intent: {
        id: h.ids.next(),
        window,
        offeringId: "cbe-0123456789abcdef0",
        durationHours: 168,
        upfrontFee: "1",
        currencyCode: "USD",
        createdAt,
      },
      ...extra,
      version: stored.version + 1,
    },
    stored.version,
  );
}

export function wrapProvider(inner: CapacityProvider, over: Partial<CapacityProvider>): CapacityProvider {
  return {
    describeReservations: over.describeReservations ?? ((r, i) => inner.describeReservations(r, i)),
    extensionHistory: over.extensionHistory ?? ((r, i) => inner.extensionHistory(r, i)),
    extensionOfferings: over.extensionOfferings ?? ((r, c, d) => inner.extensionOfferings(r, c, d)),
    purchaseExtension: over.purchaseExtension ?? ((r, c, o) => inner.purchaseExtension(r, c, o)),
    claimForStage: over.claimForStage ?? ((r, c, s) => inner.claimForStage(r, c, s)),
  };
}

/** Wraps a store, letting a test intercept writes. */
export function wrapStore(inner: BlockStore, over: Partial<BlockStore>): BlockStore {
  return {
    get: over.get ?? ((pk) => inner.get(pk)),
    list: over.list ?? ((o) => inner.list(o)),
    findDue: over.findDue ?? ((n, o) => inner.findDue(n, o)),
    findEndingBetween: over.findEndingBetween ?? ((f, t, o) => inner.findEndingBetween(f, t, o)),
    create: over.create ?? ((b, e, c) => inner.create(b, e, c)),
    update: over.update ?? ((b, v, e) => inner.update(b, v, e)),
    delete: over.delete ?? ((pk, v, e, l, r) => inner.delete(pk, v, e, l, r)),
    getLedger: over.getLedger ?? ((cr) => inner.getLedger(cr)),
  };
}

export const silentNotifier = (canReachApprover: boolean): Notifier => ({ canReachApprover, send: async () => {} });

export const time = { HOUR, DAY, MINUTE: 60_000 };

export const iso = (ms: number) => new Date(ms).toISOString();
