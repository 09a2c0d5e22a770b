import { describe, expect, it } from "vitest";
import { purchaseIntent, useBlockApi } from "./support/block-api";

const { api, created } = useBlockApi();

describe("delete", () => {
  it("returns the deleted record, keeps history readable, then 404", async () => {
    const b = await created();
    const res = await api.call("DELETE", `/${b.PK}`);
    expect(res.status).toBe(200);
    expect(res.body.PK).toBe(b.PK);
    expect((await api.call("GET", `/${b.PK}`)).status).toBe(404);
    expect((await api.call("DELETE", `/${b.PK}`)).status).toBe(404);
    const hist = await api.call("GET", `/${b.PK}/history`);
    expect(hist.body.map((e: { type: string }) => e.type)).toEqual(["deleted", "created"]);
    expect((await api.call("GET", "/never-existed/history")).status).toBe(404);
  });

  it("answers 409 PURCHASE_IN_FLIGHT to deleting a block while a purchase intent exists", async () => {
    const b = await created();
    const stored = (await api.store.get(b.PK))!;
    await api.store.update({ ...stored, intent: purchaseIntent() }, stored.version);
    const res = await api.call("DELETE", `/${b.PK}`);
    expect(res.status).toBe(409);
    expect(res.body.code).toBe("PURCHASE_IN_FLIGHT");
  });

  it("answers 409 VERSION_CONFLICT to deleting with a stale If-Match", async () => {
    const other = await created();
    expect((await api.call("DELETE", `/${other.PK}`, { headers: { "if-match": '"7"' } })).body.code).toBe("VERSION_CONFLICT");
  });
});
