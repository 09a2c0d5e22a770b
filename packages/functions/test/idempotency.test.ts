import { beforeAll, describe, expect, it } from "vitest";
import type { BlockStore } from "@cbm/core";
import { createTestApi } from "./support/api";
import { crId, fixedClock } from "./support/blocks";
import { wrapStore } from "./support/scheduler-harness";

/*
 * Idempotency-Key over the real Middy pipeline and the idempotency store on DynamoDB Local: a
 * retried write happens once, whatever the client's network did to the first answer.
 */

type Api = Awaited<ReturnType<typeof createTestApi>>;
let api: Api;
const clock = fixedClock("2026-03-01T00:00:00.000Z");

/** Holds the next store update until released, so a duplicate can arrive while the first request is running. */
const gate = { armed: false, entered: () => undefined as void, release: () => undefined as void };
function gatedStore(inner: BlockStore): BlockStore {
  return wrapStore(inner, {
    update: async (next, expected, events) => {
      if (gate.armed) {
        gate.armed = false;
        const released = new Promise<void>((resolve) => (gate.release = resolve));
        gate.entered();
        await released;
      }
      return inner.update(next, expected, events);
    },
  });
}

const key = () => `key-${crypto.randomUUID()}`;
const newBlock = (over: Record<string, unknown> = {}) => ({
  capacityReservationId: crId(),
  availabilityZone: "us-east-1a",
  endDate: "2026-03-10T11:30:00Z",
  ...over,
});

async function created(over: Record<string, unknown> = {}) {
  const res = await api.call("POST", "/", { body: newBlock(over) });
  expect(res.status, res.text).toBe(201);
  return res.body;
}

async function historyTypes(pk: string): Promise<string[]> {
  const res = await api.call("GET", `/${pk}/history`);
  return res.body.map((e: { type: string }) => e.type);
}

beforeAll(async () => {
  api = await createTestApi({ clock, prefix: "idem", idempotency: { inProgressMs: 15_000 }, wrapStore: gatedStore });
});

describe("Idempotency-Key", () => {
  it("POST: the same key and body replay the first 201 with Idempotent-Replayed, creating once", async () => {
    const body = newBlock();
    const headers = { "Idempotency-Key": key() };
    const first = await api.call("POST", "/", { body, headers });
    const again = await api.call("POST", "/", { body, headers });

    expect(first.status, first.text).toBe(201);
    expect(first.headers["idempotent-replayed"]).toBeUndefined();
    expect(again.status).toBe(201);
    expect(again.text).toBe(first.text);
    expect(again.headers).toMatchObject({ "idempotent-replayed": "true", etag: first.headers.etag, location: first.headers.location });
    expect(await historyTypes(first.body.PK)).toEqual(["created"]);
  });

  it("PUT: a retry with the same key gets the first 200, the version moving once", async () => {
    const b = await created();
    const headers = { "Idempotency-Key": key() };
    const first = await api.call("PUT", `/${b.PK}`, { body: { instanceCount: 4 }, headers });
    const again = await api.call("PUT", `/${b.PK}`, { body: { instanceCount: 4 }, headers });

    expect(first.status, first.text).toBe(200);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    expect(again.headers["idempotent-replayed"]).toBe("true");
    expect((await api.call("GET", `/${b.PK}`)).body.version).toBe(b.version + 1);
  });

  it("PATCH or POST /{PK}/deny replays its first verdict, recorded once in history", async () => {
    const b = await created();
    const approveKey = { "Idempotency-Key": key() };
    const approved = await api.call("PATCH", `/${b.PK}`, { headers: approveKey });
    const approvedAgain = await api.call("PATCH", `/${b.PK}`, { headers: approveKey });
    const denyKey = { "Idempotency-Key": key() };
    // Named: the window is not being asked about, so a denial is given in advance.
    const denied = await api.call("POST", `/${b.PK}/deny`, { body: { comment: "no", window: "next" }, headers: denyKey });
    const deniedAgain = await api.call("POST", `/${b.PK}/deny`, { body: { comment: "no", window: "next" }, headers: denyKey });

    expect([approved.status, approvedAgain.status, denied.status, deniedAgain.status]).toEqual([200, 200, 200, 200]);
    expect(approvedAgain.text).toBe(approved.text);
    expect(deniedAgain.text).toBe(denied.text);
    expect([approvedAgain.headers["idempotent-replayed"], deniedAgain.headers["idempotent-replayed"]]).toEqual(["true", "true"]);
    expect(await historyTypes(b.PK)).toEqual(["denied", "approved", "created"]);
  });

  it("422 IDEMPOTENCY_KEY_REUSED for the same key with another body or If-Match, changing nothing", async () => {
    const b = await created();
    const headers = { "Idempotency-Key": key() };
    expect((await api.call("PUT", `/${b.PK}`, { body: { instanceCount: 4 }, headers })).status).toBe(200);

    const otherBody = await api.call("PUT", `/${b.PK}`, { body: { instanceCount: 5 }, headers });
    const otherVersion = await api.call("PUT", `/${b.PK}`, { body: { instanceCount: 4 }, headers: { ...headers, "If-Match": '"2"' } });

    expect(otherBody.status).toBe(422);
    expect(otherBody.body.code).toBe("IDEMPOTENCY_KEY_REUSED");
    expect(otherVersion.status).toBe(422);
    const stored = (await api.call("GET", `/${b.PK}`)).body;
    expect([stored.instanceCount, stored.version]).toEqual([4, b.version + 1]);
  });

  it("a key is scoped to its route and block: the same key elsewhere is another request", async () => {
    const [a, b] = [await created(), await created()];
    const headers = { "Idempotency-Key": key() };

    const onA = await api.call("PUT", `/${a.PK}`, { body: { instanceCount: 3 }, headers });
    const onB = await api.call("PUT", `/${b.PK}`, { body: { instanceCount: 3 }, headers });
    const approveA = await api.call("PATCH", `/${a.PK}`, { headers });

    expect([onA.status, onB.status, approveA.status]).toEqual([200, 200, 200]);
    expect([onB.headers["idempotent-replayed"], approveA.headers["idempotent-replayed"]]).toEqual([undefined, undefined]);
    expect(onB.body.PK).toBe(b.PK);
  });

  it("409 IDEMPOTENCY_IN_PROGRESS with Retry-After while the first request with the key still runs", async () => {
    const b = await created();
    const headers = { "Idempotency-Key": key() };
    const entered = new Promise<void>((resolve) => (gate.entered = resolve));
    gate.armed = true;

    const first = api.call("PUT", `/${b.PK}`, { body: { instanceCount: 6 }, headers });
    await entered;
    const duplicate = await api.call("PUT", `/${b.PK}`, { body: { instanceCount: 6 }, headers });
    gate.release();
    const firstDone = await first;
    const afterwards = await api.call("PUT", `/${b.PK}`, { body: { instanceCount: 6 }, headers });

    expect(duplicate.status).toBe(409);
    expect(duplicate.body.code).toBe("IDEMPOTENCY_IN_PROGRESS");
    expect(duplicate.headers["retry-after"]).toBe("1");
    expect(firstDone.status, firstDone.text).toBe(200);
    expect(afterwards.headers["idempotent-replayed"]).toBe("true");
    expect((await api.call("GET", `/${b.PK}`)).body.version).toBe(b.version + 1);
  });

  it("an error is not remembered: the same key runs again, able to succeed", async () => {
    const input = newBlock();
    const headers = { "Idempotency-Key": key() };
    const missing = await api.call("PUT", `/${input.capacityReservationId}`, { body: { instanceCount: 2 }, headers });
    expect((await api.call("POST", "/", { body: input })).status).toBe(201);

    const retried = await api.call("PUT", `/${input.capacityReservationId}`, { body: { instanceCount: 2 }, headers });

    expect(missing.status).toBe(404);
    expect(retried.status, retried.text).toBe(200);
    expect(retried.headers["idempotent-replayed"]).toBeUndefined();
  });

  it("400 naming Idempotency-Key for a key that is empty, too long or not visible ASCII; nothing is created", async () => {
    for (const bad of ["", " ", "a b", "é", "x".repeat(256)]) {
      const input = newBlock();
      const res = await api.call("POST", "/", { body: input, headers: { "Idempotency-Key": bad } });
      expect(res.status, JSON.stringify(bad)).toBe(400);
      expect(res.body.issues).toEqual([expect.objectContaining({ field: "Idempotency-Key" })]);
      expect((await api.call("GET", `/${input.capacityReservationId}`)).status).toBe(404);
    }
  });

  it("a read ignores the header", async () => {
    const b = await created();
    const headers = { "Idempotency-Key": "not valid here either" };
    expect((await api.call("GET", `/${b.PK}`, { headers })).status).toBe(200);
  });

  it("a delete ignores the header", async () => {
    const b = await created();
    const headers = { "Idempotency-Key": "not valid here either" };
    expect((await api.call("DELETE", `/${b.PK}`, { headers })).status).toBe(200);
  });
});
