import type { Context } from "aws-lambda";
import { afterEach, describe, expect, inject, it } from "vitest";
import type { Notification, Notifier } from "@cbm/core";
import { createDynamoBlockStore } from "../src/adapters/dynamo-block-store";
import { createAssembly, type Environment } from "../src/composition/assembly";
import { assembleKeyRotation } from "../src/composition/rotation";
import { assembleNotices, assembleRequestWorker } from "../src/composition/scheduled";
import { silentLogger } from "../src/platform/observability/logger";
import { createMetrics, type MetricDatum } from "../src/platform/observability/metrics";
import { crId, fixedClock, makeBlock } from "./support/blocks";
import { freshTable } from "./support/dynamo";
import { blockPurchases, useRequestWorld } from "./support/request-world";
import { PLAN_ID, PREFIX, rotationServices, SECRET_ARN } from "./support/rotation-services";

/*
 * The request worker, the notices function and the key rotation, built as their Lambdas are (composition/), each
 * write their metrics once per run through the metrics port of their environment: what the alarms in
 * stacks/alarm-specs.ts read.
 */
const CREDENTIALS = { accessKeyId: "AKIDLOCAL", secretAccessKey: "local" };

/** A metrics port that keeps every flushed batch: one batch per run. */
function capture() {
  const batches: MetricDatum[][] = [];
  const metrics = createMetrics({ onFlush: (b) => batches.push(b) });
  const sums = (batch: MetricDatum[]) => {
    const out: Record<string, number> = {};
    for (const d of batch) out[d.name] = (out[d.name] ?? 0) + d.value;
    return out;
  };
  return { metrics, batches, last: () => sums(batches.at(-1) ?? []) };
}

function notifier(): Notifier & { sent: Notification[]; fail: boolean } {
  const n = {
    canReachApprover: true,
    sent: [] as Notification[],
    fail: false,
    async send(x: Notification) {
      if (n.fail) throw new Error("SNS down");
      n.sent.push(x);
    },
  };
  return n;
}

describe("the request worker's metrics", () => {
  const w = useRequestWorld();
  const built: { destroy(): void }[] = [];
  afterEach(() => built.splice(0).forEach((a) => a.destroy()));

  function worker(cap: ReturnType<typeof capture>, tableName = w.tableName) {
    const env: Environment = {
      tableName,
      region: "us-east-1",
      endpoints: { dynamodb: inject("dynamoEndpoint"), ec2: w.emu.url },
      credentials: CREDENTIALS,
      clock: w.clock,
      wallNow: () => w.wall.ms,
      logger: () => silentLogger,
      metrics: () => cap.metrics,
      notifier: { canReachApprover: true, send: w.outbox.send },
    };
    const a = createAssembly(env, { purchaseTimeoutMs: 2_000 });
    built.push(a);
    return assembleRequestWorker(a).fn;
  }

  it("counts per run the requests processed, a purchase held when EC2's answer is unknown, then the purchase made", async () => {
    const cap = capture();
    const run = worker(cap);
    w.emu.control.injectFault({ action: "PurchaseCapacityBlock", kind: "error-after" });
    const id = await w.open({ requireApproval: false });

    const first = await run();
    // The held intent is settled once the call's timeout and the settle margin have passed.
    w.wall.ms += 130_000;
    w.emu.control.advance({ minutes: 3 });
    const second = await run();

    expect(first.statuses[id]).toBe("purchasing");
    expect(second.statuses[id]).toBe("payment-pending");
    expect(blockPurchases(w.emu)).toHaveLength(1);
    expect(cap.batches).toHaveLength(2);
    const sums = cap.batches.map((b) => Object.fromEntries(b.map((d) => [d.name, d.value])));
    expect(sums[0]).toMatchObject({ RequestRuns: 1, RequestsProcessed: 1, RequestPurchases: 0, RequestPurchasesHeld: 1, RequestErrors: 0 });
    expect(sums[1]).toMatchObject({ RequestRuns: 1, RequestsProcessed: 1, RequestPurchases: 1, RequestPurchasesHeld: 0, RequestErrors: 0 });
  });

  it("counts a run that fails as a whole as an error, and still flushes", async () => {
    const cap = capture();
    const run = worker(cap, `missing-${crId().slice(-8)}`);

    await expect(run()).rejects.toThrow();

    expect(cap.last()).toMatchObject({ RequestRuns: 1, RequestsProcessed: 0, RequestErrors: 1 });
  });
});

describe("the notices function's metrics", () => {
  const END = "2026-04-20T11:30:00.000Z";
  const built: { destroy(): void }[] = [];
  afterEach(() => built.splice(0).forEach((a) => a.destroy()));

  async function notices(cap: ReturnType<typeof capture>, n: Notifier, now: string) {
    const { tableName } = await freshTable("notice-metrics");
    const clock = fixedClock(now);
    const a = createAssembly({
      tableName,
      region: "us-east-1",
      endpoints: { dynamodb: inject("dynamoEndpoint") },
      credentials: CREDENTIALS,
      clock,
      logger: () => silentLogger,
      metrics: () => cap.metrics,
      notifier: n,
    });
    built.push(a);
    const store = createDynamoBlockStore({ client: a.dynamo("scheduled").doc, tableName });
    return { handler: assembleNotices(a).fn, store };
  }
  const schedule = { source: "aws.events", "detail-type": "Scheduled Event", detail: {} };

  it("counts the reminders a sweep sent, and those the notifier refused", async () => {
    const cap = capture();
    const n = notifier();
    const { handler, store } = await notices(cap, n, new Date(Date.parse(END) - 20 * 3_600_000).toISOString());
    await store.create(makeBlock({ PK: `rem-${crId().slice(-5)}`, endDate: END }));
    await store.create(makeBlock({ PK: `rem-${crId().slice(-5)}`, endDate: END }));

    n.fail = true;
    await handler(schedule, {} as Context);
    const refused = cap.last();
    n.fail = false;
    await handler(schedule, {} as Context);

    expect(refused).toMatchObject({ NoticesSent: 0, RemindersSent: 0, NoticeSendFailures: 2 });
    expect(cap.last()).toMatchObject({ NoticesSent: 0, RemindersSent: 2, NoticeSendFailures: 0 });
  });

  it("counts an AWS event forwarded, and one the notifier refused (thrown, so EventBridge retries it)", async () => {
    const cap = capture();
    const n = notifier();
    const { handler } = await notices(cap, n, "2026-04-20T10:50:00.000Z");
    const event = {
      source: "aws.ec2",
      "detail-type": "Capacity Block Delivered",
      time: "2026-04-20T10:50:00Z",
      region: "us-east-1",
      detail: { "capacity-reservation-id": "cr-00000000000000abc", "end-date": END },
    };

    await handler(event, {} as Context);
    const forwarded = cap.last();
    n.fail = true;
    await expect(handler(event, {} as Context)).rejects.toThrow("SNS down");

    expect(forwarded).toMatchObject({ NoticesSent: 1, RemindersSent: 0, NoticeSendFailures: 0 });
    expect(cap.last()).toMatchObject({ NoticesSent: 0, NoticeSendFailures: 1 });
    expect(cap.batches).toHaveLength(2);
  });
});

describe("the key rotation's metrics", () => {
  let world: ReturnType<typeof rotationServices> | undefined;
  afterEach(() => world?.restore());
  const T1 = "11111111-1111-4111-8111-111111111111";

  it("counts a reconcile's repairs, a finished rotation and a failed step, once per invocation", async () => {
    world = rotationServices({
      secretString: JSON.stringify({ username: "web_user", api_key: "deployedKey0123456789012345678901234567" }),
    });
    const cap = capture();
    const handler = assembleKeyRotation(
      { secretArn: SECRET_ARN, usagePlanId: PLAN_ID, namePrefix: PREFIX, region: "us-east-1", stage: "prod", logLevel: "error" },
      world.clock,
      cap.metrics,
    ).fn;

    await handler({ action: "reconcile-api-keys" });
    const reconcile = cap.last();
    world.startRotation(T1);
    for (const step of ["createSecret", "setSecret", "testSecret"])
      await handler({ Step: step, SecretId: SECRET_ARN, ClientRequestToken: T1 });
    await handler({ Step: "finishSecret", SecretId: SECRET_ARN, ClientRequestToken: T1 });
    const finished = cap.last();
    await expect(handler({ Step: "createSecret", SecretId: `${SECRET_ARN}-other`, ClientRequestToken: T1 })).rejects.toThrow();

    expect(reconcile).toMatchObject({ KeyRotations: 0, KeyReconcileRepairs: 1, KeyRotationFailures: 0 });
    expect(finished).toMatchObject({ KeyRotations: 1, KeyRotationFailures: 0 });
    expect(cap.last()).toMatchObject({ KeyRotations: 0, KeyReconcileRepairs: 0, KeyRotationFailures: 1 });
    expect(cap.batches).toHaveLength(6);
  });
});
