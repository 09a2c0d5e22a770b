import { describe, expect, it } from "vitest";
import { purchaseIntent, useBlockApi } from "./support/block-api";

const { api, clock, created } = useBlockApi();

describe("approve and deny", () => {
  it("PATCH approves the current window with actor and comment, makes the block due, clears a denial", async () => {
    const b = await created({ endDate: "2026-03-10T11:30:00Z" });
    const denied = await api.call("POST", `/${b.PK}/deny`, { body: { comment: "too dear" }, headers: { "x-cbm-actor": "cli:bob" } });
    expect(denied.status, denied.text).toBe(200);
    expect(denied.body).toMatchObject({
      approved: false,
      denial: { window: "2026-03-10T11:30:00.000Z", by: "cli:bob", comment: "too dear" },
    });

    clock.set("2026-03-02T00:00:00.000Z");
    const res = await api.call("PATCH", `/${b.PK}`, { headers: { "x-cbm-actor": "cli:alice<script>" } });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({
      approved: true,
      approval: { window: "2026-03-10T11:30:00.000Z", by: "cli:alicescript", at: "2026-03-02T00:00:00.000Z" },
      denial: null,
    });
    expect(res.body.nextCheckAt).toBe("2026-03-02T00:00:00.000Z");

    const hist = await api.call("GET", `/${b.PK}/history`);
    expect(hist.body.slice(0, 3).map((e: { type: string; actor: string }) => [e.type, e.actor])).toEqual([
      ["approved", "cli:alicescript"],
      ["denied", "cli:bob"],
      ["created", "api-key"],
    ]);
  });

  it("approves the next window when this window's extension is already being paid", async () => {
    const b = await created({ endDate: "2026-03-10T11:30:00Z" });
    const stored = (await api.store.get(b.PK))!;
    await api.store.update(
      {
        ...stored,
        pendingExtension: {
          window: "2026-03-10T11:30:00.000Z",
          offeringId: "cbr-1",
          durationHours: 168,
          upfrontFee: "10",
          currencyCode: "USD",
          purchasedAt: "2026-03-01T00:00:00.000Z",
        },
      },
      stored.version,
    );
    const res = await api.call("PATCH", `/${b.PK}`, { body: { comment: "ok" } });
    expect(res.body.approval).toMatchObject({ window: "2026-03-17T11:30:00.000Z", comment: "ok" });
  });

  it("answers 409 INVALID_STATE to an approval before the end date is known", async () => {
    const b = await created({ endDate: undefined });
    const res = await api.call("PATCH", `/${b.PK}`);
    expect(res.status).toBe(409);
    expect(res.body.code).toBe("INVALID_STATE");
  });

  it("answers 404 to approving or denying a block that does not exist", async () => {
    expect((await api.call("PATCH", "/absent-block")).status).toBe(404);
    expect((await api.call("POST", "/absent-block/deny")).status).toBe(404);
  });

  it("answers 400 to a verdict body that is not {comment: string}", async () => {
    const other = await created();
    expect((await api.call("PATCH", `/${other.PK}`, { body: { comment: 5 } })).status).toBe(400);
    expect((await api.call("POST", `/${other.PK}/deny`, { body: { reason: "x" } })).status).toBe(400);
  });

  it("409 PURCHASE_IN_FLIGHT for approve and deny while the current window's purchase is being settled", async () => {
    const b = await created({ endDate: "2026-03-10T11:30:00Z" });
    const stored = (await api.store.get(b.PK))!;
    expect(stored.endDate).toBe("2026-03-10T11:30:00.000Z");
    const intent = purchaseIntent({ id: "i2", window: stored.endDate!, offeringId: "cbe-2" });
    const withIntent = await api.store.update({ ...stored, intent }, stored.version);
    for (const [method, path] of [
      ["PATCH", `/${b.PK}`],
      ["POST", `/${b.PK}/deny`],
    ] as const) {
      const res = await api.call(method, path);
      expect(res.status).toBe(409);
      expect(res.body.code).toBe("PURCHASE_IN_FLIGHT");
    }
    // Nothing was written: the verdict is not silently parked on a window that may never come.
    expect((await api.store.get(b.PK))!.version).toBe(withIntent.version);
  });
});
