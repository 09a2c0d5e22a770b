import type { Context } from "aws-lambda";
import { describe, expect, it } from "vitest";
import { createDynamoUsageStore } from "../src/adapters/dynamo-usage-store";
import { createEc2CapacityProvider } from "../src/adapters/ec2-capacity-provider";
import { createEc2UsageProbe } from "../src/adapters/ec2-usage-probe";
import { createUlidIds } from "../src/adapters/ids";
import { staticSecretSource } from "../src/adapters/secrets-source";
import { createApiHandler } from "../src/composition/create-api-handler";
import { createTick } from "../src/tick/create-tick";
import { sampleUsage } from "../src/usage/sample-usage";
import { API_KEY, apiEvent, type CallOptions } from "./support/api";
import { useRequestWorld } from "./support/request-world";

/*
 * GET /{PK} shows what the usage sampler recorded, as an additive `usage` member: current use, the interconnect
 * status from DescribeCapacityBlockStatus, idleness and the last 24 h; the idle skip shows on the same record.
 */
const w = useRequestWorld();
const CREDENTIALS = { accessKeyId: "AKIDLOCAL", secretAccessKey: "local" };

function system() {
  const usage = createDynamoUsageStore({ client: w.docClient, tableName: w.tableName });
  const probe = createEc2UsageProbe({ endpoint: w.emu.url, credentials: CREDENTIALS, describeMaxAttempts: 1 });
  const ids = createUlidIds(w.clock);
  const handler = createApiHandler({
    store: w.store,
    history: w.history,
    usage,
    secrets: staticSecretSource(API_KEY),
    clock: w.clock,
    ids,
    logger: { error: () => {}, warn: () => {} },
  });
  return {
    sample: () => sampleUsage({ store: w.store, usage, probe, clock: w.clock, ids, notifier: w.outbox }),
    /** The scheduler's tick: it reads the block's end date from EC2, which the idle skip needs. */
    tick: () =>
      createTick({
        ...w.tickPorts(),
        ec2: createEc2CapacityProvider({ endpoint: w.emu.url, credentials: CREDENTIALS, describeMaxAttempts: 1 }),
        ids,
      })(),
    async call(method: string, path: string, opts: CallOptions = {}) {
      const res = await handler(apiEvent(method, path, opts), { awsRequestId: "req-1" } as Context);
      return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : undefined };
    },
  };
}

const managedBlock = (policy: Record<string, unknown> = {}) => w.managedBlock("train", policy);

describe("GET /{PK} with usage", () => {
  it("shows usage null before the first sample", async () => {
    await managedBlock();
    const api = system();

    const res = await api.call("GET", "/train");

    expect(res.status).toBe(200);
    expect(res.body.usage).toBeNull();
  });

  it("shows the first release's fields as stored beside usage", async () => {
    await managedBlock();
    const api = system();

    // The read adds usage and outlook (docs/api.md); everything else is the record as stored.
    const { usage: _usage, outlook: _outlook, ...record } = (await api.call("GET", "/train")).body;

    expect(record).toEqual(JSON.parse(JSON.stringify(await w.store.get("train"))));
  });

  it("shows current use, the interconnect status, idleSince, the last 24 h", async () => {
    const id = await managedBlock();
    const api = system();
    w.emu.control.setRunning(id, 2);
    await api.sample();
    w.emu.control.advance({ hours: 1 });
    w.emu.control.setRunning(id, 0);
    w.emu.control.setInterconnectStatus(id, "impaired");
    await api.sample();
    const idleAt = w.clock.now().toISOString();
    w.emu.control.advance({ minutes: 30 });

    const { body } = await api.call("GET", "/train");

    expect(body.usage).toEqual({
      running: 0,
      total: 2,
      state: "active",
      at: idleAt,
      interconnect: { status: "impaired", at: idleAt, since: idleAt },
      idleSince: idleAt,
      idleHours: 0,
      last24hInstanceHours: 2,
      last24h: [
        { hour: "2026-11-24T08", meanRunning: 2, maxRunning: 2, total: 2 },
        { hour: "2026-11-24T09", meanRunning: 0, maxRunning: 0, total: 2 },
      ],
    });
  });

  it("accepts the whole record read back with its usage in a PUT, as first-release scripts send it", async () => {
    await managedBlock();
    const api = system();
    await api.sample();
    const { body } = await api.call("GET", "/train");

    const put = await api.call("PUT", "/train", { body: { ...body, name: "train-UPDATED" } });

    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ name: "train-UPDATED" });
    expect(put.body.usage).toBeUndefined();
  });

  it("shows an idle block's skipped extension beside the usage that caused it", async () => {
    // The window opens at 2026-11-24 11:30 (24 h before the end), after the idle hour has been sampled.
    const id = await managedBlock({ requireApproval: false, extendByDays: 1, lookaheadHours: 24, skipExtensionWhenIdleHours: 1 });
    const api = system();
    await api.tick();
    await api.sample();
    w.emu.control.advance({ hours: 1, minutes: 11 });
    await api.sample();

    const { body } = await api.call("GET", "/train");
    const history = await api.call("GET", "/train/history");

    expect(body.usage).toMatchObject({ running: 0, idleHours: 1 });
    expect(body.denial).toMatchObject({ by: "cbm:idle", window: "2026-11-25T11:30:00.000Z" });
    expect(history.body.find((e: { actor: string }) => e.actor === "cbm:idle")).toMatchObject({ type: "denied" });
    expect(w.outbox.list().filter((n) => n.pk === "train" && /idle/.test(n.subject))).toHaveLength(1);
    expect(w.emu.control.ledger().filter((e) => e.capacityReservationId === id)).toHaveLength(0);
  });
});
