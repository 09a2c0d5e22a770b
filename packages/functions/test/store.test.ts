import { beforeAll, describe, expect, it } from "vitest";
import {
  AlreadyExistsError,
  NotFoundError,
  PurchaseInFlightError,
  ValidationError,
  VersionConflictError,
  type BlockStore,
  type HistoryEvent,
  type HistoryStore,
} from "@cbm/core";
import { createDynamoBlockStore } from "../src/adapters/dynamo-block-store";
import { createDynamoHistoryStore } from "../src/adapters/dynamo-history-store";
import { createUlidIds } from "../src/adapters/ids";
import { makeBlock } from "./support/blocks";
import { freshTable } from "./support/dynamo";

let store: BlockStore;
let history: HistoryStore;
const ids = createUlidIds();
const event = (pk: string, n: number): HistoryEvent => ({
  PK: pk,
  at: "2026-01-01T00:00:00.000Z",
  id: ids.next(),
  type: "updated",
  actor: "test",
  message: `event ${n}`,
});

beforeAll(async () => {
  const { client, tableName } = await freshTable("store");
  store = createDynamoBlockStore({ client, tableName });
  history = createDynamoHistoryStore({ client, tableName });
});

describe("DynamoDB block store", () => {
  it("guards every create, read, update or delete with its version check", async () => {
    const block = makeBlock({ name: "crud", nextCheckAt: "2026-01-01T00:00:00Z" });
    const created = await store.create(block, [event(block.PK, 1)]);
    expect(created).toEqual({ ...block, nextCheckAt: "2026-01-01T00:00:00.000Z" });
    expect(await store.get(block.PK)).toEqual(created);
    await expect(store.create(block)).rejects.toBeInstanceOf(AlreadyExistsError);

    const updated = await store.update({ ...created, name: "renamed" }, 1, [event(block.PK, 2)]);
    expect(updated.version).toBe(2);
    expect((await store.get(block.PK))?.name).toBe("renamed");
    await expect(store.update({ ...created, name: "stale" }, 1)).rejects.toBeInstanceOf(VersionConflictError);
    await expect(store.update(makeBlock({ PK: "absent-pk" }), 1)).rejects.toBeInstanceOf(NotFoundError);

    await expect(store.delete(block.PK, 1)).rejects.toBeInstanceOf(VersionConflictError);
    await store.delete(block.PK, 2, [event(block.PK, 3)]);
    expect(await store.get(block.PK)).toBeUndefined();
    await expect(store.delete(block.PK, 2)).rejects.toBeInstanceOf(NotFoundError);
    const h = await history.list(block.PK, { limit: 10 });
    expect(h.items.map((e) => e.message)).toEqual(["event 3", "event 2", "event 1"]);
  });

  it("lets exactly one of two concurrent updates with the same version win", async () => {
    for (const withEvents of [false, true]) {
      const block = await store.create(makeBlock());
      const results = await Promise.allSettled([
        store.update({ ...block, name: "a" }, 1, withEvents ? [event(block.PK, 1)] : []),
        store.update({ ...block, name: "b" }, 1, withEvents ? [event(block.PK, 2)] : []),
      ]);
      expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
      const rejected = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
      expect(rejected.reason).toBeInstanceOf(VersionConflictError);
      expect((await store.get(block.PK))?.version).toBe(2);
    }
  });

  it("refuses to delete while a purchase intent exists, the transaction leaving history untouched", async () => {
    const intent = {
      id: "i1",
      window: "2026-02-01T11:30:00.000Z",
      offeringId: "cbr-1",
      durationHours: 168,
      upfrontFee: "100",
      currencyCode: "USD",
      createdAt: "2026-01-30T00:00:00.000Z",
    };
    const block = await store.create(makeBlock({ intent }));
    await expect(store.delete(block.PK, 1, [event(block.PK, 1)])).rejects.toBeInstanceOf(PurchaseInFlightError);
    expect((await history.list(block.PK, { limit: 10 })).items).toEqual([]);
    const cleared = await store.update({ ...block, intent: null }, 1);
    await store.delete(block.PK, cleared.version);
    expect(await store.get(block.PK)).toBeUndefined();
  });

  it("a failed create writes no history (one transaction)", async () => {
    const block = await store.create(makeBlock());
    await expect(store.create(block, [event(block.PK, 1)])).rejects.toBeInstanceOf(AlreadyExistsError);
    expect((await history.list(block.PK, { limit: 10 })).items).toEqual([]);
  });

  it("findDue returns only blocks whose nextCheckAt has come, from the sparse index", async () => {
    const past = await store.create(makeBlock({ nextCheckAt: "2020-01-01T00:00:00.000Z" }));
    const offset = await store.create(makeBlock({ nextCheckAt: "2020-01-01T02:00:00+01:00" }));
    const future = await store.create(makeBlock({ nextCheckAt: "2099-01-01T00:00:00.000Z" }));
    const never = await store.create(makeBlock({ nextCheckAt: null }));
    const seen = new Set<string>();
    let cursor: string | undefined;
    do {
      const page = await store.findDue("2021-01-01T00:00:00.000Z", { limit: 1, cursor });
      page.items.forEach((b) => seen.add(b.PK));
      cursor = page.cursor;
    } while (cursor);
    expect(seen.has(past.PK)).toBe(true);
    expect(seen.has(offset.PK)).toBe(true);
    expect(seen.has(future.PK)).toBe(false);
    expect(seen.has(never.PK)).toBe(false);
    // Taking nextCheckAt away takes the block out of the index.
    await store.update({ ...past, nextCheckAt: null }, 1);
    const again = await store.findDue("2021-01-01T00:00:00.000Z", { limit: 100 });
    expect(again.items.map((b) => b.PK)).not.toContain(past.PK);
  });

  it("findEndingBetween returns only blocks whose end date lies in the range, from the ending index", async () => {
    // A far-off year keeps other tests' blocks out of the range.
    const inside = await store.create(makeBlock({ endDate: "2091-03-01T11:30:00.000Z" }));
    const offset = await store.create(makeBlock({ endDate: "2091-03-02T12:30:00+01:00" }));
    const before = await store.create(makeBlock({ endDate: "2091-02-28T11:30:00.000Z" }));
    const after = await store.create(makeBlock({ endDate: "2091-03-03T11:30:00.000Z" }));
    const noEnd = await store.create(makeBlock({ endDate: undefined }));
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await store.findEndingBetween("2091-03-01T00:00:00.000Z", "2091-03-02T23:59:59.999Z", { limit: 1, cursor });
      seen.push(...page.items.map((b) => b.PK));
      cursor = page.cursor;
    } while (cursor);
    expect(seen).toEqual([inside.PK, offset.PK]);
    expect(seen).not.toContain(before.PK);
    expect(seen).not.toContain(after.PK);
    expect(seen).not.toContain(noEnd.PK);
    // The end moving out of the range (an extension paid) takes the block out of the answer.
    await store.update({ ...inside, endDate: "2091-03-08T11:30:00.000Z" }, 1);
    const again = await store.findEndingBetween("2091-03-01T00:00:00.000Z", "2091-03-02T23:59:59.999Z", { limit: 100 });
    expect(again.items.map((b) => b.PK)).toEqual([offset.PK]);
    const forged = Buffer.from(JSON.stringify({ PK: "x", SK: "BLOCK", itemType: "block" })).toString("base64url");
    await expect(
      store.findEndingBetween("2091-03-01T00:00:00.000Z", "2091-03-02T00:00:00.000Z", { limit: 1, cursor: forged }),
    ).rejects.toBeInstanceOf(ValidationError);
  });

  it("lists 120 blocks over pages without duplicates", async () => {
    const mine = new Set<string>();
    const prefix = `list-${Date.now().toString(36)}-`;
    const blocks = Array.from({ length: 120 }, (_, i) => makeBlock({ PK: `${prefix}${String(i).padStart(3, "0")}` }));
    for (let i = 0; i < blocks.length; i += 20) await Promise.all(blocks.slice(i, i + 20).map((b) => store.create(b)));
    blocks.forEach((b) => mine.add(b.PK));
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await store.list({ limit: 50, cursor });
      seen.push(...page.items.map((b) => b.PK));
      cursor = page.cursor;
      pages++;
    } while (cursor && pages < 100);
    const ofMine = seen.filter((pk) => mine.has(pk));
    expect(ofMine).toHaveLength(120);
    expect(new Set(seen).size).toBe(seen.length);
  });

  it("rejects a malformed or forged list cursor", async () => {
    await expect(store.list({ limit: 10, cursor: "not-a-cursor" })).rejects.toBeInstanceOf(ValidationError);
    const forged = Buffer.from(JSON.stringify({ PK: "x", SK: "BLOCK", itemType: "other" })).toString("base64url");
    await expect(store.list({ limit: 10, cursor: forged })).rejects.toBeInstanceOf(ValidationError);
  });

  it("pages history newest first", async () => {
    const block = await store.create(makeBlock());
    await history.append(Array.from({ length: 7 }, (_, i) => event(block.PK, i)));
    const messages: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await history.list(block.PK, { limit: 3, cursor });
      messages.push(...page.items.map((e) => e.message));
      cursor = page.cursor;
    } while (cursor);
    expect(messages).toEqual(["event 6", "event 5", "event 4", "event 3", "event 2", "event 1", "event 0"]);
  });

  it("refuses a history cursor from another block", async () => {
    const block = await store.create(makeBlock());
    await history.append(Array.from({ length: 7 }, (_, i) => event(block.PK, i)));
    const first = await history.list(block.PK, { limit: 3 });
    await expect(history.list("other-block", { limit: 3, cursor: first.cursor })).rejects.toBeInstanceOf(ValidationError);
  });
});
