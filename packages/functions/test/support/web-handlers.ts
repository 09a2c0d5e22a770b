import type { Context } from "aws-lambda";
import type { Block } from "@cbm/core";
import { createDynamoBlockStore } from "../../src/adapters/dynamo-block-store";
import { createDynamoHistoryStore } from "../../src/adapters/dynamo-history-store";
import { createDynamoLinkStore } from "../../src/adapters/dynamo-link-store";
import { createDynamoSessionStore } from "../../src/adapters/dynamo-session-store";
import { createDynamoUsageStore } from "../../src/adapters/dynamo-usage-store";
import type { RefreshableSecretSource } from "../../src/adapters/secrets-source";
import { createApiHandler } from "../../src/composition/create-api-handler";
import { createWebHandler, isWebPath } from "../../src/composition/create-web-handler";
import { createApprovalLinkIssuer } from "../../src/approvals/links/link-issuer";
import { apiEvent, API_KEY, type CallOptions } from "./api";
import { askingRecord, crId, dayQuoteTerms, fixedClock, sequentialIds } from "./blocks";
import { freshTable } from "./dynamo";

/** The public origin the AWS assembly is configured with (API_URL, stage `test`). */
export const ORIGIN = "https://api.example";
export const END = "2026-03-10T11:30:00.000Z";

export interface Answer {
  status: number;
  headers: Record<string, string>;
  text: string;
}

/**
 * The AWS assembly's two handlers (JSON API and browser pages) on a fresh DynamoDB Local table, called with API
 * Gateway REST events as API Gateway sends them, plus what the browser tests need: an asking block with its link,
 * a signed-in session and its CSRF token. With `usage`, the console shows what a usage store holds.
 */
export async function createWebHandlers(prefix: string, opts: { autoApproval?: boolean; usage?: boolean } = {}) {
  const clock = fixedClock("2026-03-08T12:00:00.000Z");
  const secret = { current: async () => "link-key-for-tests-0123456789abcdef0123456789" };
  const keys = { current: API_KEY };
  const keySource: RefreshableSecretSource = { apiKey: async () => keys.current };
  const { client, tableName } = await freshTable(prefix);
  const store = createDynamoBlockStore({ client, tableName });
  const history = createDynamoHistoryStore({ client, tableName });
  const usage = opts.usage ? createDynamoUsageStore({ client, tableName }) : undefined;
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
    apiUrl: `${ORIGIN}/test`,
    ...(opts.autoApproval ? { autoApproval: true } : {}),
    ...(usage ? { usage } : {}),
  });
  const issuer = createApprovalLinkIssuer({ secret, ids: sequentialIds("L"), apiUrl: `${ORIGIN}/test`, recipient: "fin@example.com" });

  async function call(method: string, path: string, opts: CallOptions = {}): Promise<Answer> {
    const res = await (isWebPath(path) ? web : api)(apiEvent(method, path, opts), { awsRequestId: "r" } as Context);
    return {
      status: res.statusCode,
      headers: Object.fromEntries(Object.entries(res.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)])),
      text: res.body ?? "",
    };
  }

  /** A form post as a browser sends it from the console's or a link's page; `raw` is the body as is. */
  const form = (raw: string, headers: Record<string, string> = {}): CallOptions => ({
    apiKey: false,
    rawBody: raw,
    headers: { "Content-Type": "application/x-www-form-urlencoded", Host: "api.example", Origin: ORIGIN, ...headers },
  });

  /** A block CBM asks approval for (quoted 1510.27 USD for a day), and its approval link's token. */
  async function askingBlock(over: Partial<Block> = {}): Promise<{ block: Block; token: string }> {
    const cr = crId();
    const block = await store.create(askingRecord(cr, END, clock.now().toISOString(), over));
    const link = await issuer.linkFor({ subject: "block", block, window: END, offering: dayQuoteTerms(cr, END) });
    return { block, token: link.slice(link.lastIndexOf("/") + 1) };
  }

  /** Signs in; returns the Cookie header value and the CSRF token of the console's forms. */
  async function signIn(): Promise<{ cookie: string; csrf: string }> {
    const res = await call("POST", "/console/session", form(new URLSearchParams({ apiKey: API_KEY, name: "dana" }).toString()));
    const cookie = res.headers["set-cookie"]!.split(";")[0]!;
    const page = await call("GET", "/console/blocks", { apiKey: false, headers: { Cookie: cookie } });
    return { cookie, csrf: /name="csrf" value="([^"]+)"/.exec(page.text)![1]! };
  }

  return { call, form, askingBlock, signIn, store, usage, clock, keys, client, tableName };
}
