import { afterAll, beforeAll, beforeEach } from "vitest";
import type { BlockMarket, Clock, RequestStore } from "@cbm/core";
import { startEmulator, type EmulatorHandle } from "@cbm/ec2-emulator";
import { createConsoleOutboxNotifier, type OutboxNotifier } from "../../src/adapters/console-outbox-notifier";
import { createDynamoBlockStore } from "../../src/adapters/dynamo-block-store";
import { createDynamoHistoryStore } from "../../src/adapters/dynamo-history-store";
import { createDynamoRequestStore } from "../../src/adapters/dynamo-request-store";
import { createEc2BlockMarket } from "../../src/adapters/ec2-block-market";
import { createUlidIds } from "../../src/adapters/ids";
import type { ApprovalLinkIssuer } from "../../src/approvals/links/link-issuer";
import { createRegisterBlock } from "../../src/requests/worker/register-block";
import { createRequestWorker } from "../../src/requests/worker/request-worker";
import { createBlockUseCases } from "../../src/blocks/use-cases";
import { createRequestUseCases } from "../../src/requests/use-cases/request-use-cases";
import { parseCreateRequest, type CreateRequestFields } from "../../src/requests/wire/request-body";
import { ACCOUNT } from "./blocks";
import { freshTable } from "./dynamo";

export const START = "2026-11-24T08:00:00.000Z";
const CREDENTIALS = { accessKeyId: "AKIDLOCAL", secretAccessKey: "local" };

/**
 * One emulator per test file, and per test a fresh table, stores, a notifier and a controllable wall clock: the
 * request worker as the scheduler runs it, against the unmodified SDK over HTTP and DynamoDB Local.
 */
export function useRequestWorld() {
  const world = {} as {
    emu: EmulatorHandle;
    clock: Clock;
    wall: { ms: number };
    outbox: OutboxNotifier;
    requests: ReturnType<typeof createDynamoRequestStore>;
    blocks: ReturnType<typeof createBlockUseCases>;
    api: ReturnType<typeof createRequestUseCases>;
    store: ReturnType<typeof createDynamoBlockStore>;
    docClient: Awaited<ReturnType<typeof freshTable>>["client"];
    tableName: string;
    history: ReturnType<typeof createDynamoHistoryStore>;
    /** A worker run; wrapped ports simulate crashes (see crashAfterIntent), `canReachApprover` false means automatic approval. */
    run(opts?: {
      canReachApprover?: boolean;
      timeoutMs?: number;
      /** Signed links for quote notices (request-links tests). */
      approvalLinks?: Pick<ApprovalLinkIssuer, "linkFor">;
      /** Wraps the request store the worker uses (a store that fails as a bug would). */
      wrapRequests?: (inner: RequestStore) => RequestStore;
      /** Wraps the EC2 market the worker uses (a crash once EC2 answered). */
      wrapMarket?: (inner: BlockMarket) => BlockMarket;
      /** The wall time a purchase call may still land after it began (default 60 s of the model's wall clock). */
      callSettleMs?: number;
      /** The run's deadline, as the Lambda handler passes it (wall clock: `wall.ms`). */
      deadline?: Date;
      /** The worker's wall clock, when not `wall.ms` (the reliability model's runs with real time). */
      wallNow?: () => number;
    }): ReturnType<ReturnType<typeof createRequestWorker>>;
    open(body: Partial<CreateRequestFields> & Record<string, unknown>): Promise<string>;
    /**
     * Seeds an active 2 × p5.48xlarge block (2026-11-23 to 2026-11-25, 11:30 UTC) and registers it as `pk` under
     * `policy`; returns its reservation id.
     */
    managedBlock(pk: string, policy: Record<string, unknown>): Promise<string>;
    /** What the scheduler's tick takes from this world: stores, outbox, clock, account (the caller adds ec2 and ids). */
    tickPorts(): {
      store: ReturnType<typeof createDynamoBlockStore>;
      history: ReturnType<typeof createDynamoHistoryStore>;
      notifier: OutboxNotifier;
      clock: Clock;
      settings: { accountId: string };
    };
  };

  beforeAll(async () => {
    world.emu = await startEmulator({ port: 0, clock: { start: START } });
  });
  afterAll(() => world.emu.stop());
  beforeEach(async () => {
    world.emu.control.reset();
    world.emu.control.setClock(START);
    const clock: Clock = { now: () => world.emu.control.now() };
    const ids = createUlidIds(clock);
    const { client, tableName } = await freshTable("req");
    const quiet = { warn: () => {} };
    world.clock = clock;
    world.docClient = client;
    world.tableName = tableName;
    world.wall = { ms: Date.parse(START) };
    world.store = createDynamoBlockStore({ client, tableName, logger: quiet });
    world.requests = createDynamoRequestStore({ client, tableName, logger: quiet });
    world.history = createDynamoHistoryStore({ client, tableName, logger: quiet });
    world.blocks = createBlockUseCases({ store: world.store, history: world.history, clock, ids });
    world.api = createRequestUseCases({ requests: world.requests, clock, ids, defaultRegion: "us-east-1" });
    const outbox = createConsoleOutboxNotifier({ canReachApprover: true, print: () => {} });
    world.outbox = outbox;
    world.run = (opts = {}) => {
      const market = createEc2BlockMarket({
        endpoint: world.emu.url,
        credentials: CREDENTIALS,
        describeMaxAttempts: 1,
        requestTimeoutMs: opts.timeoutMs ?? 2_000,
        describeLimitBackoffMs: [],
        sleep: async () => {},
      });
      const notifier = { canReachApprover: opts.canReachApprover ?? true, send: outbox.send };
      return createRequestWorker({
        requests: opts.wrapRequests ? opts.wrapRequests(world.requests) : world.requests,
        market: opts.wrapMarket ? opts.wrapMarket(market) : market,
        notifier,
        clock,
        ids,
        registerBlock: createRegisterBlock(world.blocks, world.store),
        blocks: world.store,
        wallNow: opts.wallNow ?? (() => world.wall.ms),
        callSettleMs: opts.callSettleMs ?? 60_000,
        ...(opts.approvalLinks ? { approvalLinks: opts.approvalLinks } : {}),
      })(opts.deadline ? { deadline: opts.deadline } : {});
    };
    world.tickPorts = () => ({
      store: world.store,
      history: world.history,
      notifier: outbox,
      clock,
      settings: { accountId: ACCOUNT },
    });
    world.managedBlock = async (pk, policy) => {
      const r = world.emu.control.seedBlock({
        instanceType: "p5.48xlarge",
        instanceCount: 2,
        startDate: "2026-11-23T11:30:00Z",
        endDate: "2026-11-25T11:30:00Z",
      });
      await world.blocks.create({ PK: pk, capacityReservationId: r.capacityReservationId, region: "us-east-1", policy }, { actor: "test" });
      return r.capacityReservationId;
    };
    world.open = async (body) => {
      const r = await world.api.create(
        parseCreateRequest({
          instanceType: "p5.48xlarge",
          instanceCount: 1,
          durationDays: 1,
          latestStart: "2026-11-30T12:00:00Z",
          maxUpfrontFee: "1000",
          ...body,
        }),
        { actor: "test" },
      );
      return r.id;
    };
  });
  return world;
}

/** The emulator's ledger entries for PurchaseCapacityBlock whose reservation carries `intentIds`' tags. */
export function blockPurchases(emu: EmulatorHandle): { capacityReservationId: string; upfrontFee: string }[] {
  return emu.control.ledger().filter((e) => e.action === "PurchaseCapacityBlock");
}

/** A process that dies right after writing a purchase intent: the write lands, the call is never made. */
export class Crash extends Error {}

/** Wraps a request store so the run dies right after its first intent write (before PurchaseCapacityBlock). */
export function crashAfterIntent(inner: RequestStore): RequestStore {
  let crashed = false;
  return {
    ...inner,
    async update(next, expectedVersion) {
      const isIntentWrite = !crashed && next.intent != null && !(await inner.get(next.id))?.intent;
      const written = await inner.update(next, expectedVersion);
      if (isIntentWrite) {
        crashed = true;
        throw new Crash("died after writing the intent");
      }
      return written;
    },
  };
}

/** Wraps a request store so the run dies holding EC2's answer: the write that records the purchase never happens. */
export function crashBeforeRecording(inner: RequestStore): RequestStore {
  let crashed = false;
  return {
    ...inner,
    async update(next, expectedVersion) {
      if (!crashed && next.purchase != null && !(await inner.get(next.id))?.purchase) {
        crashed = true;
        throw new Crash("died holding the answer");
      }
      return inner.update(next, expectedVersion);
    },
  };
}
