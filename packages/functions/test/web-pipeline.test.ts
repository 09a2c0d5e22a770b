import type { Context } from "aws-lambda";
import { beforeAll, describe, expect, it } from "vitest";
import { recordInterconnect, recordUsage, type Block } from "@cbm/core";
import { createDynamoBlockStore } from "../src/adapters/dynamo-block-store";
import { createDynamoHistoryStore } from "../src/adapters/dynamo-history-store";
import { createDynamoLinkStore } from "../src/adapters/dynamo-link-store";
import { createDynamoSessionStore } from "../src/adapters/dynamo-session-store";
import { createDynamoUsageStore } from "../src/adapters/dynamo-usage-store";
import type { RefreshableSecretSource } from "../src/adapters/secrets-source";
import { createApiHandler } from "../src/composition/create-api-handler";
import { createWebHandler, isWebPath } from "../src/composition/create-web-handler";
import { createApprovalLinkIssuer } from "../src/approvals/links/link-issuer";
import { apiEvent, API_KEY, type CallOptions } from "./support/api";
import { askingRecord, crId, dayQuoteTerms, fixedClock, sequentialIds } from "./support/blocks";
import { freshTable } from "./support/dynamo";

const END = "2026-03-10T11:30:00.000Z";
const clock = fixedClock("2026-03-08T12:00:00.000Z");
const secret = { current: async () => "link-key-for-tests-0123456789abcdef0123456789" };
let apiKey = API_KEY;
const keySource: RefreshableSecretSource = { apiKey: async () => apiKey };
let call: (method: string, path: string, opts?: CallOptions) => Promise<{ status: number; headers: Record<string, string>; text: string }>;
let store: ReturnType<typeof createDynamoBlockStore>;
let usage: ReturnType<typeof createDynamoUsageStore>;
const issuer = createApprovalLinkIssuer({
  secret,
  ids: sequentialIds("L"),
  apiUrl: "https://api.example/test",
  recipient: "fin@example.com",
});

/** A block CBM asks approval for, quoted at 1510.27 USD for one day. */
async function askingBlock(over: Partial<Block> = {}): Promise<{ block: Block; token: string }> {
  const cr = crId();
  const block = await store.create(askingRecord(cr, END, clock.now().toISOString(), over));
  const link = await issuer.linkFor({ subject: "block", block, window: END, offering: dayQuoteTerms(cr, END) });
  return { block, token: link.slice(link.lastIndexOf("/") + 1) };
}

const form = (fields: Record<string, string>, headers: Record<string, string> = {}): CallOptions => ({
  apiKey: false,
  rawBody: new URLSearchParams(fields).toString(),
  headers: {
    "Content-Type": "application/x-www-form-urlencoded",
    Host: "api.example",
    Origin: "https://api.example",
    "X-Forwarded-Proto": "https",
    ...headers,
  },
});

beforeAll(async () => {
  const { client, tableName } = await freshTable("web");
  store = createDynamoBlockStore({ client, tableName });
  usage = createDynamoUsageStore({ client, tableName });
  const history = createDynamoHistoryStore({ client, tableName });
  const logger = { error: () => undefined, warn: () => undefined };
  const api = createApiHandler({ store, history, secrets: keySource, clock, ids: sequentialIds("E"), logger });
  const web = createWebHandler({
    store,
    history,
    secrets: keySource,
    clock,
    ids: sequentialIds("W"),
    logger,
    secret,
    links: createDynamoLinkStore({ client, tableName }),
    sessions: createDynamoSessionStore({ client, tableName }),
    apiUrl: "https://api.example/test",
    usage,
  });
  call = async (method, path, opts = {}) => {
    const res = await (isWebPath(path) ? web : api)(apiEvent(method, path, opts), { awsRequestId: "r" } as Context);
    return {
      status: res.statusCode,
      headers: Object.fromEntries(Object.entries(res.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)])),
      text: res.body ?? "",
    };
  };
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
    apiKey = "rotated-key-0123456789";
    expect((await list()).status).toBe(303);
    apiKey = API_KEY;
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
