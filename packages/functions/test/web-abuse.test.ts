import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { beforeAll, describe, expect, it } from "vitest";
import { SESSION_PK } from "../src/adapters/dynamo-schema";
import { API_KEY } from "./support/api";
import { createWebHandlers, ORIGIN, type Answer } from "./support/web-handlers";

// The abuse a probe tried on the browser routes, against the AWS assembly's handlers with API Gateway events.
let h: Awaited<ReturnType<typeof createWebHandlers>>;

beforeAll(async () => {
  h = await createWebHandlers("abuse");
});

const q = (fields: [string, string][]) => fields.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join("&");

function expectPage(res: Answer, status: number): void {
  expect(res.status).toBe(status);
  expect(res.headers["content-type"]).toBe("text/html; charset=utf-8");
  expect(res.headers["content-security-policy"]).toContain("frame-ancestors 'none'");
  expect(res.headers["x-frame-options"]).toBe("DENY");
  expect(res.headers["x-content-type-options"]).toBe("nosniff");
  expect(res.headers["cache-control"]).toBe("no-store");
  expect(res.text).toMatch(/^<!doctype html>/);
}

describe("sessions end on the server", () => {
  it("after sign-out the old cookie opens no page, its CSRF token changing nothing", async () => {
    const { block } = await h.askingBlock();
    const { cookie, csrf } = await h.signIn();
    const out = await h.call("POST", "/console/signout", h.form(q([["csrf", csrf]]), { Cookie: cookie }));
    expect(out.status).toBe(303);
    expect(out.headers["set-cookie"]).toMatch(/^__Host-cbm_session=; Path=\/; Max-Age=0;/);

    const page = await h.call("GET", "/console/blocks", { apiKey: false, headers: { Cookie: cookie } });
    const pause = await h.call("POST", `/console/blocks/${block.PK}/pause`, h.form(q([["csrf", csrf]]), { Cookie: cookie }));

    expect(page.status).toBe(303);
    expect(page.headers.location).toBe("/test/console");
    expect(pause.status).toBe(403);
    expect((await h.store.get(block.PK))!.version).toBe(block.version);
  });

  it("the cookie is a random id the table keeps only hashed, carrying nothing derived from the API key", async () => {
    const a = await h.signIn();
    const b = await h.signIn();
    const id = a.cookie.slice(a.cookie.indexOf("=") + 1);
    expect(id).toMatch(/^[\w-]{43}$/);
    expect(b.cookie).not.toBe(a.cookie);
    const byId = await h.client.send(new GetCommand({ TableName: h.tableName, Key: { PK: SESSION_PK, SK: id } }));
    expect(byId.Item).toBeUndefined();
    expect(a.cookie).not.toContain(API_KEY.slice(0, 8));
  });

  it("ends at the absolute lifetime however busy", async () => {
    const { cookie } = await h.signIn();
    const list = () => h.call("GET", "/console/blocks", { apiKey: false, headers: { Cookie: cookie } });
    const start = h.clock.now().toISOString();
    // Busy all day: a page every 20 minutes keeps it from idling out, until 8 hours after sign-in.
    for (let i = 0; i < 23; i++) {
      h.clock.advance(20 * 60_000);
      expect((await list()).status).toBe(200);
    }
    h.clock.advance(21 * 60_000);
    expect((await list()).status).toBe(303);
    h.clock.set(start);
  });

  it("ends when the API key is rotated, for good", async () => {
    const second = await h.signIn();
    h.keys.current = "rotated-key-0123456789";
    const afterRotation = await h.call("GET", "/console/blocks", { apiKey: false, headers: { Cookie: second.cookie } });
    h.keys.current = API_KEY;
    const back = await h.call("GET", "/console/blocks", { apiKey: false, headers: { Cookie: second.cookie } });
    expect(afterRotation.status).toBe(303);
    expect(back.status).toBe(303); // deleted when found void: the old key coming back does not revive it
  });
});

describe("one origin: the configured one, never the request's Host", () => {
  it("refuses sign-in when Host and Origin both name another site", async () => {
    const res = await h.call(
      "POST",
      "/console/session",
      h.form(q([["apiKey", API_KEY]]), { Host: "evil.example", Origin: "https://evil.example", "X-Forwarded-Proto": "https" }),
    );
    expect(res.status).toBe(403);
    expect(res.headers["set-cookie"]).toBeUndefined();
  });

  it("refuses a link's answer when Host and Origin both name another site", async () => {
    const { block, token } = await h.askingBlock();
    const page = await h.call("GET", `/link/${token}`, { apiKey: false });
    const csrf = /name="csrf" value="([^"]+)"/.exec(page.text)![1]!;
    const fields = q([
      ["csrf", csrf],
      ["confirm", "yes"],
      ["action", "approve"],
    ]);
    const res = await h.call("POST", `/link/${token}`, h.form(fields, { Host: "evil.example", Origin: "https://evil.example" }));
    expect(res.status).toBe(403);
    expect((await h.store.get(block.PK))!.version).toBe(block.version);
  });
});

describe("errors on browser routes are pages that echo nothing", () => {
  it("answers an unknown query name holding markup with a 400 page that does not repeat it", async () => {
    const { block } = await h.askingBlock();
    const { cookie } = await h.signIn();
    const res = await h.call("GET", `/console/blocks/${block.PK}`, {
      apiKey: false,
      headers: { Cookie: cookie },
      query: { "<img src=x onerror=alert(1)>": "1" },
    });
    expectPage(res, 400);
    expect(res.text).not.toMatch(/<img|onerror|alert\(1\)/);
  });

  it.each([
    ["GET", "/console/nothing-here", 404],
    ["HEAD", "/link/some-token", 405],
    ["OPTIONS", "/console", 405],
    ["DELETE", "/console/blocks", 405],
  ])("answers %s %s with a %i page, never the API key's 403", async (method, path, status) => {
    const res = await h.call(method, path, { apiKey: false });
    expectPage(res, status);
    if (status === 405) expect(res.headers.allow).toMatch(/GET|POST/);
  });

  it("answers a JSON body on a form route with a 415 page", async () => {
    const { token } = await h.askingBlock();
    const json = await h.call("POST", `/link/${token}`, { apiKey: false, body: { action: "approve" }, headers: { Origin: ORIGIN } });
    expectPage(json, 415);
  });

  it("answers an oversized form with a 413 page", async () => {
    const { token } = await h.askingBlock();
    const big = await h.call("POST", `/link/${token}`, h.form(q([["justification", "x".repeat(70_000)]])));
    expectPage(big, 413);
  });

  it("keeps JSON errors for the JSON API", async () => {
    const res = await h.call("GET", "/nothing/here/at/all");
    expect(res.headers["content-type"]).toBe("application/json");
  });
});

describe("forms send each field once", () => {
  it.each([
    [
      "confirm",
      [
        ["confirm", "no"],
        ["confirm", "yes"],
        ["action", "approve"],
      ],
    ],
    [
      "action",
      [
        ["confirm", "yes"],
        ["action", "deny"],
        ["action", "approve"],
      ],
    ],
    [
      "csrf",
      [
        ["csrf", "bad"],
        ["confirm", "yes"],
        ["action", "approve"],
      ],
    ],
  ] as [string, [string, string][]][])("refuses a link form with a repeated %s, changing nothing", async (_name, fields) => {
    const { block, token } = await h.askingBlock();
    const csrf = /name="csrf" value="([^"]+)"/.exec((await h.call("GET", `/link/${token}`, { apiKey: false })).text)![1]!;

    const res = await h.call("POST", `/link/${token}`, h.form(q([["csrf", csrf], ...fields])));

    expectPage(res, 400);
    expect((await h.store.get(block.PK))!.version).toBe(block.version);
  });

  it("refuses a console form with two CSRF tokens, changing nothing", async () => {
    const { block } = await h.askingBlock();
    const { cookie, csrf } = await h.signIn();
    const res = await h.call(
      "POST",
      `/console/blocks/${block.PK}/pause`,
      h.form(
        q([
          ["csrf", "bad"],
          ["csrf", csrf],
        ]),
        { Cookie: cookie },
      ),
    );
    expectPage(res, 400);
    expect((await h.store.get(block.PK))!.version).toBe(block.version);
  });
});

describe("the text rule on the browser routes", () => {
  it("refuses a tag with control or bidi characters with 400 naming it", async () => {
    const refused = await h.call("POST", "/", {
      body: { PK: "tagged", capacityReservationId: "cr-0123456789abcdef0", region: "us-east-1", tags: { team: "ops\u202e0001 DSU\u0007" } },
    });
    expect(refused.status).toBe(400);
    expect(JSON.parse(refused.text).issues).toEqual([expect.objectContaining({ field: "tags.team" })]);
  });

  it("shows such a tag stored before the rule escaped", async () => {
    await h.askingBlock({ tags: { team: "ops\u202e0001 DSU\u0007" } });
    const { cookie } = await h.signIn();
    const page = await h.call("GET", "/console/blocks", { apiKey: false, headers: { Cookie: cookie } });
    expect(page.text).toContain("ops\\u{202e}0001 DSU\\u{7}");
    expect(page.text).not.toContain("\u202e");
    expect(page.text).not.toContain("\u0007");
  });
});
