import { describe, expect, it } from "vitest";
import { useBlockApi } from "./support/block-api";

const { api, created } = useBlockApi();

describe("update", () => {
  it("applies a partial update, bumps the version, records history", async () => {
    const b = await created();
    const res = await api.call("PUT", `/${b.PK}`, { body: { instanceCount: 16, policy: { extendByDays: 14 } } });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ instanceCount: 16, version: 2 });
    expect(res.body.policy).toMatchObject({ extendByDays: 14, lookaheadHours: 48 });
    const hist = await api.call("GET", `/${b.PK}/history`);
    expect(hist.body[0]).toMatchObject({ type: "updated", actor: "api-key" });
  });

  it("answers 409 VERSION_CONFLICT to a stale version in the body or If-Match", async () => {
    const b = await created();
    expect((await api.call("PUT", `/${b.PK}`, { body: { name: "one" } })).status).toBe(200);
    const stale = await api.call("PUT", `/${b.PK}`, { body: { name: "two", version: 1 } });
    expect(stale.status).toBe(409);
    expect(stale.body.code).toBe("VERSION_CONFLICT");
    const staleHeader = await api.call("PUT", `/${b.PK}`, { body: { name: "two" }, headers: { "If-Match": '"1"' } });
    expect(staleHeader.status).toBe(409);
  });

  it("takes a fresh If-Match", async () => {
    const b = await created();
    expect((await api.call("PUT", `/${b.PK}`, { body: { name: "one" } })).status).toBe(200);
    const fresh = await api.call("PUT", `/${b.PK}`, { body: { name: "two" }, headers: { "If-Match": '"2"' } });
    expect(fresh.status).toBe(200);
    expect(fresh.headers.etag).toBe('"3"');
  });

  it("answers 400 when If-Match disagrees with the body's version or is not a version", async () => {
    const b = await created();
    expect((await api.call("PUT", `/${b.PK}`, { body: { name: "x", version: 3 }, headers: { "If-Match": "2" } })).status).toBe(400);
    expect((await api.call("PUT", `/${b.PK}`, { body: { name: "x" }, headers: { "If-Match": "abc" } })).status).toBe(400);
  });

  it("answers 404 to updating a block that does not exist", async () => {
    expect((await api.call("PUT", "/absent-block", { body: { name: "x" } })).status).toBe(404);
  });

  it("answers 400 when the PK would change or a field is not writable", async () => {
    const b = await created();
    const pk = await api.call("PUT", `/${b.PK}`, { body: { PK: "other" } });
    expect(pk.status).toBe(400);
    expect(pk.body.issues[0].field).toBe("PK");
    expect((await api.call("PUT", `/${b.PK}`, { body: { status: "approved" } })).status).toBe(400);
  });
});
