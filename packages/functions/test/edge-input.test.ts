import { beforeAll, describe, expect, it } from "vitest";
import type { Context } from "aws-lambda";
import { createDynamoBlockStore } from "../src/adapters/dynamo-block-store";
import { createDynamoHistoryStore } from "../src/adapters/dynamo-history-store";
import { createUlidIds } from "../src/adapters/ids";
import { createApiHandler } from "../src/composition/create-api-handler";
import { createLogger } from "../src/platform/observability/logger";
import { apiEvent, type CallOptions } from "./support/api";
import { crId, fixedClock } from "./support/blocks";
import { freshTable } from "./support/dynamo";

/*
 * Input at the edge, over the real Middy pipeline: headers that would make history lie or a body that would be
 * misread are refused with a precise status, and the API key never reaches a log line or the history, wherever a
 * client pastes it.
 */

const clock = fixedClock("2026-03-01T00:00:00.000Z");
// Long and distinctive, like a generated key, and made only of characters a PK and an actor may hold.
const SECRET = "Zq7vK2mP9xW4nR8tY3bL6cJ1hF5dG0sA";
const logLines: string[] = [];
type Call = (method: string, path: string, opts?: CallOptions) => Promise<{ status: number; body: any; text: string }>; // eslint-disable-line @typescript-eslint/no-explicit-any -- parsed JSON
let table: Awaited<ReturnType<typeof freshTable>>;
let call: Call;

/** A new handler: a cold container, whose secret source has not been asked for the key yet. */
function coldApi(): Call {
  const handler = createApiHandler({
    store: createDynamoBlockStore({ client: table.client, tableName: table.tableName }),
    history: createDynamoHistoryStore({ client: table.client, tableName: table.tableName }),
    secrets: { apiKey: async () => SECRET },
    clock,
    ids: createUlidIds(clock),
    logger: createLogger({ service: "cbm-api", sink: { write: (l) => logLines.push(l) } }),
  });
  return async (method, path, opts = {}) => {
    const res = await handler(apiEvent(method, path, { apiKey: SECRET, ...opts }), { awsRequestId: "edge" } as Context);
    return { status: res.statusCode, text: res.body, body: res.body ? JSON.parse(res.body) : undefined };
  };
}

beforeAll(async () => {
  table = await freshTable("edge");
  call = coldApi();
});

const newBlock = () => ({ capacityReservationId: crId(), availabilityZone: "us-east-1a", endDate: "2026-03-10T11:30:00Z" });

describe("x-cbm-actor", () => {
  const refused: Array<[string, string]> = [
    ["a C0 control (NUL)", "cli:al\u0000ice"],
    ["a C0 control (ESC, starts a terminal sequence)", "cli:\u001b[31malice"],
    ["a tab", "cli:\talice"],
    ["DEL", "cli:alice\u007f"],
    ["a C1 control (NEL)", "cli:alice\u0085"],
    ["a C1 control (CSI)", "cli:\u009b31malice"],
    ["a right-to-left override", "cli:\u202eecila"],
    ["a left-to-right embedding", "cli:\u202aalice"],
    ["a pop directional formatting", "cli:alice\u202c"],
    ["a right-to-left isolate", "cli:\u2067alice"],
    ["a pop directional isolate", "cli:alice\u2069"],
    ["a lone high surrogate", "cli:alice\ud83d"],
    ["a lone low surrogate", "cli:\ude00alice"],
  ];

  it.each(refused)("refuses %s with 400 naming x-cbm-actor, storing nothing", async (_what, actor) => {
    const input = newBlock();

    const res = await call("POST", "/", { body: input, headers: { "x-cbm-actor": actor } });

    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: "VALIDATION_FAILED", issues: [expect.objectContaining({ field: "x-cbm-actor" })] });
    expect((await call("GET", `/${input.capacityReservationId}`)).status).toBe(404);
  });

  it("accepts printable names, stripping a paired surrogate (an emoji) like any other symbol", async () => {
    const input = newBlock();

    const res = await call("POST", "/", { body: input, headers: { "x-cbm-actor": "cli:alice 😀" } });

    expect(res.status, res.text).toBe(201);
    const history = await call("GET", `/${input.capacityReservationId}/history`);
    expect(history.body[0].actor).toBe("cli:alice");
  });
});

describe("body encoding", () => {
  it.each([["gzip"], ["deflate"], ["br"], ["gzip, identity"]])("415 for Content-Encoding %s, storing nothing", async (encoding) => {
    const input = newBlock();

    const res = await call("POST", "/", { body: input, headers: { "Content-Encoding": encoding } });

    expect(res.status).toBe(415);
    expect(res.body.code).toBe("UNSUPPORTED_MEDIA_TYPE");
    expect((await call("GET", `/${input.capacityReservationId}`)).status).toBe(404);
  });

  it.each([
    ["application/json; charset=iso-8859-1"],
    ["application/json; charset=utf-16"],
    ['application/json;charset="latin1"'],
    ["application/json; charset=US-ASCII"],
  ])("415 for %s", async (contentType) => {
    const res = await call("POST", "/", { body: newBlock(), headers: { "Content-Type": contentType } });

    expect(res.status).toBe(415);
    expect(res.body.code).toBe("UNSUPPORTED_MEDIA_TYPE");
  });

  it.each([
    ["application/json; charset=utf-8"],
    ["application/json; charset=UTF-8"],
    ['application/json; charset="utf-8"'],
    ["application/json;charset=utf8"],
  ])("accepts %s, and Content-Encoding identity", async (contentType) => {
    const res = await call("POST", "/", { body: newBlock(), headers: { "Content-Type": contentType, "Content-Encoding": "identity" } });

    expect(res.status, res.text).toBe(201);
  });
});

describe("the API key pasted where it does not belong", () => {
  it("never reaches a log line or the history: in the path (with or without a key header) or in x-cbm-actor", async () => {
    const input = newBlock();
    const fromLog = logLines.length;
    const call = coldApi();

    // First, with no key header: the source is never asked, so nothing knows the key the path holds.
    const cold = await call("GET", `/${SECRET}`, { apiKey: false });
    const created = await call("POST", "/", { body: input, headers: { "x-cbm-actor": `cli:${SECRET}` } });
    const approved = await call("PATCH", `/${input.capacityReservationId}`, {
      headers: { "x-cbm-actor": `key=${SECRET.slice(0, 10)}<>${SECRET.slice(10)}` },
    });
    const inPath = [
      await call("GET", `/${SECRET}`),
      await call("PUT", `/${SECRET}`, { body: { instanceCount: 2 } }),
      await call("GET", `/${SECRET}/history`),
      await call("POST", `/${SECRET}/deny`),
      await call("GET", `/x/${SECRET}/y`),
      await call("GET", `/${SECRET}`, { apiKey: "wrong-key" }),
    ];

    expect(cold.status).toBe(403);
    expect([created.status, approved.status]).toEqual([201, 200]);
    expect(inPath.map((r) => r.status)).toEqual([404, 404, 404, 404, 404, 403]);
    const history = await call("GET", `/${input.capacityReservationId}/history`);
    expect(history.body.map((e: { actor: string }) => e.actor)).toEqual(["keyredacted", "cli:redacted"]);
    expect(history.text).not.toContain(SECRET);
    const lines = logLines.slice(fromLog);
    expect(lines.filter((l) => JSON.parse(l).message === "request")).toHaveLength(10); // the nine requests above and the history read
    for (const line of lines) expect(line).not.toContain(SECRET);
    const paths = lines
      .map((l) => JSON.parse(l))
      .filter((l) => l.message === "request")
      .map((l) => l.path);
    expect(paths).toContain("/[redacted]/history");
  });
});
