import { beforeAll, describe, expect, it } from "vitest";
import { recordInterconnect, recordUsage } from "@cbm/core";
import { API_KEY, type CallOptions } from "./support/api";
import { createWebHandlers } from "./support/web-handlers";

type WebHandlers = Awaited<ReturnType<typeof createWebHandlers>>;
let handlers: WebHandlers;
let call: WebHandlers["call"];
let askingBlock: WebHandlers["askingBlock"];
let store: WebHandlers["store"];
let clock: WebHandlers["clock"];
let usage: NonNullable<WebHandlers["usage"]>;

/** A form post as a browser sends it over HTTPS behind API Gateway. */
const form = (fields: Record<string, string>, headers: Record<string, string> = {}): CallOptions =>
  handlers.form(new URLSearchParams(fields).toString(), { "X-Forwarded-Proto": "https", ...headers });

beforeAll(async () => {
  handlers = await createWebHandlers("web", { usage: true });
  ({ call, askingBlock, store, clock } = handlers);
  usage = handlers.usage!;
});

describe("browser routes in the shared Middy pipeline", () => {
  it("serves link pages without the API key, while every JSON route still requires it", async () => {
    const { token } = await askingBlock();
    const page = await call("GET", `/link/${token}`, { apiKey: false });
    expect(page.status).toBe(200);
    expect(page.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(page.headers["content-security-policy"]).toContain("frame-ancestors 'none'");
    expect(page.headers["referrer-policy"]).toBe("same-origin");
    expect(page.text).toContain("1510.27 USD");
    expect((await call("GET", "/", { apiKey: false })).status).toBe(403);
    expect((await call("GET", "/console/blocks", { apiKey: false })).status).toBe(303);
    expect((await call("GET", "/console/nothing-here", { apiKey: false })).status).toBe(404);
  });

  it("acts once through a form post, recording the link's use with the verdict", async () => {
    const { block, token } = await askingBlock();
    const csrf = /name="csrf" value="([^"]+)"/.exec((await call("GET", `/link/${token}`, { apiKey: false })).text)![1]!;
    const first = await call("POST", `/link/${token}`, form({ csrf, confirm: "yes", action: "approve", justification: "ok" }));
    expect(first.status).toBe(200);
    const stored = (await store.get(block.PK))!;
    expect(stored.approval).toMatchObject({
      by: "link:fin@example.com",
      comment: "ok",
      terms: { maxUpfrontFee: "1510.27", durationsHours: [24] },
    });
    expect((await call("POST", `/link/${token}`, form({ csrf, confirm: "yes", action: "deny" }))).status).toBe(410);
    expect((await store.get(block.PK))!.version).toBe(stored.version);
  });

  it("refuses a JSON body on a form route", async () => {
    const { token } = await askingBlock();
    expect(
      (await call("POST", `/link/${token}`, { apiKey: false, body: { action: "approve" }, headers: { Origin: "https://api.example" } }))
        .status,
    ).toBe(415);
  });

  it("refuses a form body on a JSON route", async () => {
    expect((await call("POST", "/", { rawBody: "PK=x", headers: { "Content-Type": "application/x-www-form-urlencoded" } })).status).toBe(
      415,
    );
  });

  it("signs in with the API key: a __Host- HttpOnly, SameSite=Strict, Secure cookie holding only a random id", async () => {
    expect((await call("POST", "/console/session", form({ apiKey: "wrong" }))).status).toBe(403);
    const ok = await call("POST", "/console/session", form({ apiKey: API_KEY, name: "dana" }));
    expect(ok.status).toBe(303);
    expect(ok.headers["set-cookie"]).toMatch(/^__Host-cbm_session=[\w-]{43}; Path=\/; Max-Age=28800; HttpOnly; SameSite=Strict; Secure$/);
    expect(ok.headers["set-cookie"]).not.toContain(API_KEY);
  });

  /** Signs in; the console's block list as that session sees it. */
  async function sessionList() {
    const cookie = (await call("POST", "/console/session", form({ apiKey: API_KEY }))).headers["set-cookie"]!.split(";")[0]!;
    return () => call("GET", "/console/blocks", { apiKey: false, headers: { Cookie: cookie } });
  }

  it("ends a session when the API key is rotated", async () => {
    const list = await sessionList();
    expect((await list()).status).toBe(200);
    handlers.keys.current = "rotated-key-0123456789";
    expect((await list()).status).toBe(303);
    handlers.keys.current = API_KEY;
  });

  it("ends a session after 30 idle minutes", async () => {
    const list = await sessionList();
    expect((await list()).status).toBe(200);
    clock.set("2026-03-08T12:31:00.000Z");
    expect((await list()).status).toBe(303);
    clock.set("2026-03-08T12:00:00.000Z");
  });

  it("escapes what people typed (a block's name) on every page", async () => {
    await askingBlock({ name: '<img src=x onerror="alert(1)">' });
    const cookie = (await call("POST", "/console/session", form({ apiKey: API_KEY }))).headers["set-cookie"]!.split(";")[0]!;
    const page = await call("GET", "/console/blocks", { apiKey: false, headers: { Cookie: cookie } });
    expect(page.text).toContain("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;");
    expect(page.text).not.toContain("<img src=x");
  });

  it("shows a block's sampled usage on its page: running, interconnect, idleness, the last 24 h", async () => {
    const { block } = await askingBlock();
    const at = clock.now().toISOString();
    const sample = { capacityReservationId: block.capacityReservationId, state: "active", total: 4, available: 3 };
    await usage.put(recordInterconnect(recordUsage(undefined, block.PK, sample, at), "impaired", at));
    const cookie = (await call("POST", "/console/session", form({ apiKey: API_KEY }))).headers["set-cookie"]!.split(";")[0]!;

    const page = await call("GET", `/console/blocks/${block.PK}`, { apiKey: false, headers: { Cookie: cookie } });

    expect(page.status).toBe(200);
    expect(page.text).toContain("Usage");
    expect(page.text).toMatch(/1 of 4 \(active\)/);
    expect(page.text).toMatch(/impaired since/);
  });
});
