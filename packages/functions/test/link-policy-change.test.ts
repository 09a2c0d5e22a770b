import type { Context } from "aws-lambda";
import { beforeAll, describe, expect, it } from "vitest";
import type { Block, LinkClaims } from "@cbm/core";
import { createDynamoLinkStore } from "../src/adapters/dynamo-link-store";
import { createDynamoSessionStore } from "../src/adapters/dynamo-session-store";
import { staticSecretSource } from "../src/adapters/secrets-source";
import { createWebHandler } from "../src/composition/create-web-handler";
import { createApprovalLinkIssuer } from "../src/approvals/links/link-issuer";
import { apiEvent, API_KEY, createTestApi, type CallOptions } from "./support/api";
import { askingRecord, crId, dayQuoteTerms, fixedClock, sequentialIds } from "./support/blocks";

/*
 * An approval link opened, then the block's policy edited through the API, then the link's form posted: the web
 * handler's /link/{token} routes against DynamoDB Local. The approval a link records must be within the policy as
 * it is when the form is posted; otherwise the page says superseded and why, and nothing at all is written.
 */
const END = "2026-03-10T11:30:00.000Z";
const clock = fixedClock("2026-03-08T12:00:00.000Z");
const secret = { current: async () => "link-key-for-tests-0123456789abcdef0123456789" };
const issuer = createApprovalLinkIssuer({
  secret,
  ids: sequentialIds("P"),
  apiUrl: "https://api.example/test",
  recipient: "fin@example.com",
});

let api: Awaited<ReturnType<typeof createTestApi>>;
let links: ReturnType<typeof createDynamoLinkStore>;
let web: ReturnType<typeof createWebHandler>;

beforeAll(async () => {
  api = await createTestApi({ clock, prefix: "linkpolicy" });
  links = createDynamoLinkStore({ client: api.client, tableName: api.tableName });
  web = createWebHandler({
    store: api.store,
    history: api.history,
    secrets: staticSecretSource(API_KEY),
    clock,
    ids: sequentialIds("W"),
    logger: { error: () => undefined, warn: () => undefined },
    secret,
    links,
    sessions: createDynamoSessionStore({ client: api.client, tableName: api.tableName }),
    // The public origin the same-origin check compares with (never the request's Host).
    apiUrl: "https://api.example/test",
  });
});

async function page(method: "GET" | "POST", token: string, opts: CallOptions = { apiKey: false }) {
  const res = await web(apiEvent(method, `/link/${token}`, opts), { awsRequestId: "r" } as Context);
  return { status: res.statusCode, text: res.body ?? "" };
}

const approveForm = (csrf: string): CallOptions => ({
  apiKey: false,
  rawBody: new URLSearchParams({ csrf, confirm: "yes", action: "approve" }).toString(),
  headers: {
    "Content-Type": "application/x-www-form-urlencoded",
    Host: "api.example",
    Origin: "https://api.example",
    "X-Forwarded-Proto": "https",
  },
});

/** A block CBM asks approval for (one day at 1510.27 USD), with `spent` spent, and its notice's link token. */
async function askingBlock(spent = "600.00"): Promise<{ block: Block; token: string; claims: LinkClaims }> {
  const cr = crId();
  const block = await api.store.create(askingRecord(cr, END, clock.now().toISOString(), { PK: `p-${cr.slice(-6)}`, spent }));
  const link = await issuer.linkFor({ subject: "block", block, window: END, offering: dayQuoteTerms(cr, END) });
  const token = link.slice(link.lastIndexOf("/") + 1);
  const claims = JSON.parse(Buffer.from(token.split(".")[0]!, "base64url").toString("utf8")) as LinkClaims;
  return { block, token, claims };
}

describe("an approval link answered after the policy changed", () => {
  it.each([
    ["a pause", { enabled: false }, /the block is paused/],
    ["a lower price cap", { maxUpfrontFee: "1000.00" }, /the fee 1510.27 USD is above the policy&#39;s maxUpfrontFee 1000.00/],
    ["a lower budget", { budget: "2000.00" }, /would bring spending to 2110.27, over the policy&#39;s budget of 2000.00/],
    ["a changed duration", { extendByDays: 7 }, /the policy extends by 7 days, not 1 day/],
    // Nothing spent yet: the API refuses a currency change while spend is counted in the old one.
    ["a changed currency", { currency: "EUR" }, /the policy&#39;s currency is EUR, not USD/, "0"],
  ])("after %s: the page says superseded and why, and nothing is recorded", async (_what, policy, why, spent?: string) => {
    const { block, token, claims } = await askingBlock(spent);
    const opened = await page("GET", token);
    const csrf = /name="csrf" value="([^"]+)"/.exec(opened.text)![1]!;
    const edit = await api.call("PUT", `/${block.PK}`, { body: { policy } });
    const edited = (await api.store.get(block.PK))!;

    const answer = await page("POST", token, approveForm(csrf));

    expect(edit.status).toBe(200);
    expect(answer.status).toBe(409);
    expect(answer.text).toContain("this link is superseded, as the block&#39;s policy no longer allows these terms");
    expect(answer.text).toMatch(why);
    const after = (await api.store.get(block.PK))!;
    expect(after.version).toBe(edited.version);
    expect(after.approval ?? null).toBeNull();
    expect((await api.history.list(block.PK, { limit: 50 })).items.map((e) => e.type)).not.toContain("approved");
    expect(await links.findUse(claims.id)).toBeUndefined();
  });

  it("still approves after an edit that keeps the terms inside the policy (a higher cap)", async () => {
    const { block, token } = await askingBlock();
    const csrf = /name="csrf" value="([^"]+)"/.exec((await page("GET", token)).text)![1]!;
    await api.call("PUT", `/${block.PK}`, { body: { policy: { maxUpfrontFee: "2000.00" } } });

    const answer = await page("POST", token, approveForm(csrf));

    expect(answer.status).toBe(200);
    expect((await api.store.get(block.PK))!.approval).toMatchObject({ by: "link:fin@example.com", terms: { maxUpfrontFee: "1510.27" } });
  });
});
