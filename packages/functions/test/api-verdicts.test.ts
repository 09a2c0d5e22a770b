import { describe, expect, it } from "vitest";
import { purchaseIntent, useBlockApi } from "./support/block-api";

const { api, clock, created } = useBlockApi();

describe("approve and deny", () => {
  it("PATCH approves the current window (actor, comment), making the block due, clearing a denial", async () => {
    const b = await created({ endDate: "2026-03-10T11:30:00Z" });
    const denied = await api.call("POST", `/${b.PK}/deny`, {
      body: { comment: "too dear", window: "next" },
      headers: { "x-cbm-actor": "cli:bob" },
    });
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

  it("approves the next window while this window's extension is being paid only when it is named", async () => {
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
    const unnamed = await api.call("PATCH", `/${b.PK}`, { body: { comment: "ok" } });
    expect(unnamed.status).toBe(200);
    expect(unnamed.body.approval ?? null).toBeNull();
    expect(unnamed.body.verdictNote).toMatch(
      /window ending 2026-03-10T11:30:00.000Z is already bought \(EC2 is collecting the payment\); nothing new/,
    );

    const res = await api.call("PATCH", `/${b.PK}`, { body: { comment: "ok", window: "next" } });
    expect(res.status, res.text).toBe(200);
    expect(res.body.approval).toMatchObject({ window: "2026-03-17T11:30:00.000Z", comment: "ok" });
    expect(res.body.verdictNote).toMatch(/^Approved in advance the extension for the window ending 2026-03-17T11:30:00.000Z/);
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
    const badWindow = await api.call("PATCH", `/${other.PK}`, { body: { window: "tomorrow" } });
    expect(badWindow.status).toBe(400);
    expect(badWindow.body.issues).toEqual([
      expect.objectContaining({ field: "window", message: expect.stringMatching(/must be "next" or/) }),
    ]);
  });

  it("409 PURCHASE_IN_FLIGHT for approve or deny while the current window's purchase is being settled", async () => {
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

describe("a verdict decides the window the person was asked about (issue 22)", () => {
  const sent = "2026-03-08T11:30:00.000Z";
  const asked = (window: string) => ({ window, firstSentAt: sent, lastSentAt: sent, count: 1, lastCallSent: false });

  it("answers a repeated approval of the asked window with the same approval, recording nothing", async () => {
    const b = await created({ endDate: "2026-03-10T11:30:00Z" });
    const stored = (await api.store.get(b.PK))!;
    await api.store.update({ ...stored, status: "awaiting-approval", approvalRequest: asked("2026-03-10T11:30:00.000Z") }, stored.version);

    const first = await api.call("PATCH", `/${b.PK}`, { headers: { "x-cbm-actor": "cli:alice" } });
    const again = await api.call("PATCH", `/${b.PK}`, { headers: { "x-cbm-actor": "cli:alice" } });

    expect(first.body.verdictNote).toMatch(/^Approved the extension for the window ending 2026-03-10T11:30:00.000Z, which CBM asked about/);
    expect(again.status, again.text).toBe(200);
    expect(again.body.approval).toEqual(first.body.approval);
    expect(again.body.version).toBe(first.body.version);
    expect(again.body.verdictNote).toMatch(/^Already approved for the window ending 2026-03-10T11:30:00.000Z .*nothing new was recorded/);
    const approvals = (await api.call("GET", `/${b.PK}/history`)).body.filter((e: { type: string }) => e.type === "approved");
    expect(approvals).toHaveLength(1);
  });

  it("refuses a deny with 409 NOTHING_ASKED when nothing is asked, saying when CBM asks, how to deny in advance", async () => {
    const b = await created({ endDate: "2026-03-10T11:30:00Z" });

    const res = await api.call("POST", `/${b.PK}/deny`);

    expect(res.status).toBe(409);
    expect(res.body.code).toBe("NOTHING_ASKED");
    expect(res.body.message).toMatch(/no notice has asked about the window ending 2026-03-10T11:30:00.000Z/);
    expect(res.body.message).toMatch(/CBM asks about the window ending 2026-03-10T11:30:00.000Z from 2026-03-08T11:30:00.000Z/);
    expect(res.body.message).toMatch(/"window":"next"/);
    expect((await api.store.get(b.PK))!.denial ?? null).toBeNull();
  });

  it("denies in advance when the window is named, as history says in words", async () => {
    const b = await created({ endDate: "2026-03-10T11:30:00Z" });

    const res = await api.call("POST", `/${b.PK}/deny`, { body: { window: "2026-03-10T11:30:00Z" } });

    expect(res.status, res.text).toBe(200);
    expect(res.body.verdictNote).toMatch(/^Denied in advance the extension for the window ending 2026-03-10T11:30:00.000Z/);
    const denied = (await api.call("GET", `/${b.PK}/history`)).body.find((e: { type: string }) => e.type === "denied");
    expect(denied.message).toMatch(/^Denied in advance .*no notice had asked yet/);
  });

  it("refuses a named window that is not the next undecided one with 409 INVALID_STATE", async () => {
    const b = await created({ endDate: "2026-03-10T11:30:00Z" });

    const res = await api.call("PATCH", `/${b.PK}`, { body: { window: "2026-04-10T11:30:00Z" } });

    expect(res.status).toBe(409);
    expect(res.body.code).toBe("INVALID_STATE");
    expect(res.body.message).toMatch(/next undecided window ends 2026-03-10T11:30:00.000Z/);
  });

  it("refuses an approval with 409 NOTHING_ASKED when the policy asks nothing, saying when CBM buys", async () => {
    const b = await created({ endDate: "2026-03-10T11:30:00Z", policy: { requireApproval: false } });

    const res = await api.call("PATCH", `/${b.PK}`);

    expect(res.status).toBe(409);
    expect(res.body.code).toBe("NOTHING_ASKED");
    expect(res.body.message).toMatch(/The policy needs no approval: CBM buys 7 days for the window ending 2026-03-10T11:30:00.000Z from/);
  });

  it("refuses a deny on a block CBM has stopped extending without promising a purchase, saying why it stopped", async () => {
    const b = await created({ endDate: "2026-03-10T11:30:00Z", policy: { requireApproval: false, budget: "1200" } });
    const stored = (await api.store.get(b.PK))!;
    await api.store.update({ ...stored, status: "budget-exhausted", statusReason: "over the budget" }, stored.version);

    const res = await api.call("POST", `/${b.PK}/deny`);

    expect(res.status).toBe(409);
    expect(res.body.code).toBe("NOTHING_ASKED");
    expect(res.body.message).not.toMatch(/CBM buys/);
    expect(res.body.message).toMatch(/Will not extend: the budget is spent\. To change it: raise the budget/);
  });

  it("keeps the first release's PATCH of a current window not yet asked, answering that it is in advance", async () => {
    const b = await created({ endDate: "2026-03-10T11:30:00Z" });

    const res = await api.call("PATCH", `/${b.PK}`);

    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ approved: true, approval: { window: "2026-03-10T11:30:00.000Z" } });
    expect(res.body.verdictNote).toMatch(/^Approved in advance .*no notice has asked about it yet/);
  });
});
