import { PLANNING_RESOURCES, PLANNING_ROUTES } from "../src/http/planning-route-manifest";
import { API_RESOURCES, API_ROUTES } from "../src/http/route-manifest";
import { beforeAll, describe, expect, it } from "vitest";
import { crId, fixedClock } from "./support/blocks";
import { API_KEY, createTestApi } from "./support/api";

type Api = Awaited<ReturnType<typeof createTestApi>>;
let api: Api;
const clock = fixedClock("2026-03-01T00:00:00.000Z");

const newBlock = (over: Record<string, unknown> = {}) => ({
  capacityReservationId: crId(),
  instanceType: "p5.48xlarge",
  availabilityZone: "us-east-1a",
  instanceCount: 2,
  ...over,
});

async function created(over: Record<string, unknown> = {}) {
  const res = await api.call("POST", "/", { body: newBlock(over) });
  expect(res.status, res.text).toBe(201);
  return res.body;
}

beforeAll(async () => {
  api = await createTestApi({ clock });
});

describe("auth", () => {
  it("answers 403 with API Gateway's exact body for a missing or wrong key, on any route", async () => {
    for (const [method, path] of [
      ["GET", "/"],
      ["GET", "/nope/too/deep"],
      ["DELETE", "/x"],
      ["GET", "/openapi.json"],
    ] as const) {
      for (const apiKey of [false, "wrong", API_KEY + "x", ""] as const) {
        const res = await api.call(method, path, { apiKey });
        expect(res.status).toBe(403);
        expect(res.text).toBe('{"message":"Forbidden"}');
        expect(res.headers["content-type"]).toBe("application/json");
      }
    }
  });

  it("accepts the key under any header-name case", async () => {
    const res = await api.call("GET", "/", { apiKey: false, headers: { "X-API-KEY": API_KEY } });
    expect(res.status).toBe(200);
  });
});

describe("create and read", () => {
  it("creates with defaults: 201, effective policy, PK from the reservation id, history 'created'", async () => {
    const input = newBlock();
    const res = await api.call("POST", "/", { body: input, headers: { "x-cbm-actor": "cli:alice" } });
    expect(res.status).toBe(201);
    expect(res.headers["content-type"]).toBe("application/json");
    expect(res.body).toMatchObject({
      PK: input.capacityReservationId,
      region: "us-east-1",
      version: 1,
      approved: false,
      status: "registered",
    });
    expect(res.body.policy).toMatchObject({ extendByDays: 7, lookaheadHours: 48, requireApproval: true, enabled: true });
    expect(res.body.warnings).toBeUndefined();
    expect(res.headers.etag).toBe('"1"');

    const got = await api.call("GET", `/${input.capacityReservationId}`);
    expect(got.status).toBe(200);
    expect(got.body).toEqual(res.body);

    const hist = await api.call("GET", `/${input.capacityReservationId}/history`);
    expect(hist.body).toHaveLength(1);
    expect(hist.body[0]).toMatchObject({ type: "created", actor: "cli:alice" });
  });

  it("400 (field PK) for a PK the API could not address, and nothing is stored", async () => {
    for (const PK of ["openapi.json", ".", ".."]) {
      const res = await api.call("POST", "/", { body: newBlock({ PK }) });
      expect(res.status, PK).toBe(400);
      expect(res.body.issues.map((i: { field: string }) => i.field)).toEqual(["PK"]);
    }
    const stored = (await api.call("GET", "/", { query: { limit: "100" } })).body.map((b: { PK: string }) => b.PK);
    expect(stored.filter((pk: string) => ["openapi.json", ".", ".."].includes(pk))).toEqual([]);
  });

  it("409 ALREADY_EXISTS for a taken PK", async () => {
    const b = await created();
    const res = await api.call("POST", "/", { body: newBlock({ PK: b.PK }) });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: "ALREADY_EXISTS" });
  });

  it("accepts the first release's field names as aliases", async () => {
    const id = crId();
    const res = await api.call("POST", "/", {
      body: {
        capacity_block_id: id,
        end_time: "2026-03-10T11:30:00Z",
        extend_by_days: 14,
        extension_lookahead_days: 3,
        require_approval: false,
        instance_type: "p5.48xlarge",
        region: "us-west-2",
        name: "legacy",
      },
    });
    expect(res.status, res.text).toBe(201);
    expect(res.body).toMatchObject({
      PK: id,
      capacityReservationId: id,
      instanceType: "p5.48xlarge",
      region: "us-west-2",
      name: "legacy",
      endDate: "2026-03-10T11:30:00.000Z",
    });
    expect(res.body.policy).toMatchObject({ extendByDays: 14, lookaheadHours: 72, requireApproval: false });
  });

  it("returns warnings in the body only when there are some", async () => {
    const res = await api.call("POST", "/", { body: newBlock({ policy: { lookaheadHours: 6 } }) });
    expect(res.status).toBe(201);
    expect(res.body.warnings).toEqual([expect.stringContaining("lookaheadHours 6")]);
  });

  it("400 VALIDATION_FAILED naming each field at fault, and unknown fields", async () => {
    const res = await api.call("POST", "/", {
      body: newBlock({ capacityReservationId: "cr nope", policy: { extendByDays: 15 }, color: "red" }),
    });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe("VALIDATION_FAILED");
    const fields = res.body.issues.map((i: { field: string }) => i.field).sort();
    expect(fields).toEqual(["capacityReservationId", "color", "policy.extendByDays"]);
    for (const issue of res.body.issues)
      expect(issue).toEqual({ field: expect.any(String), message: expect.any(String), code: expect.any(String) });
  });

  it("404 for an unknown block, 400 (field PK) for an invalid PK, URL-decoded path parameters", async () => {
    expect((await api.call("GET", "/absent-block")).status).toBe(404);
    expect((await api.call("GET", "/absent-block")).body.code).toBe("NOT_FOUND");
    const bad = await api.call("GET", "/has%20space");
    expect(bad.status).toBe(400);
    expect(bad.body.issues[0].field).toBe("PK");
    expect((await api.call("GET", "/bad%zz")).status).toBe(400);
    const b = await created({ PK: "env:1.a_b-c" });
    const enc = await api.call("GET", "/env%3A1.a_b-c");
    expect(enc.status).toBe(200);
    expect(enc.body.PK).toBe(b.PK);
  });

  it("lists as a plain JSON array with limit and cursor in x-next-cursor and Link", async () => {
    for (let i = 0; i < 3; i++) await created();
    const first = await api.call("GET", "/", { query: { limit: "2" } });
    expect(first.status).toBe(200);
    expect(Array.isArray(first.body)).toBe(true);
    expect(first.body).toHaveLength(2);
    const cursor = first.headers["x-next-cursor"];
    expect(cursor).toBeTruthy();
    expect(first.headers.link).toBe(`</test/?limit=2&cursor=${cursor}>; rel="next"`);
    const second = await api.call("GET", "/", { query: { limit: "2", cursor: cursor! } });
    expect(second.status).toBe(200);
    expect(second.body.map((b: { PK: string }) => b.PK)).not.toContain(first.body[0].PK);
    for (const limit of ["0", "101", "abc", "-1", "1.5"]) {
      const res = await api.call("GET", "/", { query: { limit } });
      expect(res.status).toBe(400);
      expect(res.body.issues[0].field).toBe("limit");
    }
    expect((await api.call("GET", "/", { query: { cursor: "garbage" } })).body.issues[0].field).toBe("cursor");
    expect((await api.call("GET", "/", { query: { color: "red" } })).status).toBe(400);
  });
});

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

  it("409 for a stale version in the body or If-Match; 400 when they disagree", async () => {
    const b = await created();
    expect((await api.call("PUT", `/${b.PK}`, { body: { name: "one" } })).status).toBe(200);
    const stale = await api.call("PUT", `/${b.PK}`, { body: { name: "two", version: 1 } });
    expect(stale.status).toBe(409);
    expect(stale.body.code).toBe("VERSION_CONFLICT");
    const staleHeader = await api.call("PUT", `/${b.PK}`, { body: { name: "two" }, headers: { "If-Match": '"1"' } });
    expect(staleHeader.status).toBe(409);
    const fresh = await api.call("PUT", `/${b.PK}`, { body: { name: "two" }, headers: { "If-Match": '"2"' } });
    expect(fresh.status).toBe(200);
    expect(fresh.headers.etag).toBe('"3"');
    expect((await api.call("PUT", `/${b.PK}`, { body: { name: "x", version: 3 }, headers: { "If-Match": "2" } })).status).toBe(400);
    expect((await api.call("PUT", `/${b.PK}`, { body: { name: "x" }, headers: { "If-Match": "abc" } })).status).toBe(400);
  });

  it("404 when absent, 400 when the PK would change or a field is unknown", async () => {
    expect((await api.call("PUT", "/absent-block", { body: { name: "x" } })).status).toBe(404);
    const b = await created();
    const pk = await api.call("PUT", `/${b.PK}`, { body: { PK: "other" } });
    expect(pk.status).toBe(400);
    expect(pk.body.issues[0].field).toBe("PK");
    expect((await api.call("PUT", `/${b.PK}`, { body: { status: "approved" } })).status).toBe(400);
  });
});

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
});

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

  it("409 PURCHASE_IN_FLIGHT while an intent exists; 409 for a stale If-Match", async () => {
    const b = await created();
    const stored = (await api.store.get(b.PK))!;
    const intent = {
      id: "i1",
      window: "2026-03-10T11:30:00.000Z",
      offeringId: "cbr-1",
      durationHours: 168,
      upfrontFee: "10",
      currencyCode: "USD",
      createdAt: "2026-03-01T00:00:00.000Z",
    };
    await api.store.update({ ...stored, intent }, stored.version);
    const res = await api.call("DELETE", `/${b.PK}`);
    expect(res.status).toBe(409);
    expect(res.body.code).toBe("PURCHASE_IN_FLIGHT");
    const other = await created();
    expect((await api.call("DELETE", `/${other.PK}`, { headers: { "if-match": '"7"' } })).body.code).toBe("VERSION_CONFLICT");
  });

  it("409 PURCHASE_IN_FLIGHT for approve and deny while the current window's purchase is being settled", async () => {
    const b = await created({ endDate: "2026-03-10T11:30:00Z" });
    const stored = (await api.store.get(b.PK))!;
    expect(stored.endDate).toBe("2026-03-10T11:30:00.000Z");
    const intent = {
      id: "i2",
      window: stored.endDate!,
      offeringId: "cbe-2",
      durationHours: 168,
      upfrontFee: "10",
      currencyCode: "USD",
      createdAt: "2026-03-01T00:00:00.000Z",
    };
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

describe("history paging", () => {
  it("pages newest first with limit and cursor", async () => {
    const b = await created();
    for (let i = 0; i < 4; i++) expect((await api.call("PUT", `/${b.PK}`, { body: { name: `n${i}` } })).status).toBe(200);
    const first = await api.call("GET", `/${b.PK}/history`, { query: { limit: "3" } });
    expect(first.body).toHaveLength(3);
    expect(first.headers.link).toContain(`/test/${b.PK}/history?limit=3&cursor=`);
    const second = await api.call("GET", `/${b.PK}/history`, { query: { limit: "3", cursor: first.headers["x-next-cursor"]! } });
    expect([...first.body, ...second.body].map((e: { message: string }) => e.message)).toEqual([
      "Updated name",
      "Updated name",
      "Updated name",
      "Updated name",
      expect.stringContaining("Created"),
    ]);
    expect(second.headers["x-next-cursor"]).toBeUndefined();
  });
});

describe("request errors", () => {
  it("400 INVALID_JSON, 413 over 64 KiB (also base64), 415 for a non-JSON content type", async () => {
    const bad = await api.call("POST", "/", { rawBody: "{not json", headers: { "content-type": "application/json" } });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe("INVALID_JSON");

    const big = JSON.stringify({ name: "x".repeat(65 * 1024) });
    const tooLarge = await api.call("POST", "/", { rawBody: big, headers: { "content-type": "application/json" } });
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body.code).toBe("PAYLOAD_TOO_LARGE");
    expect((await api.call("POST", "/", { rawBody: big, base64: true })).status).toBe(413);
    // Multi-byte characters count as bytes: 22,000 × 3 bytes > 64 KiB although under 64 Ki characters.
    expect((await api.call("POST", "/", { rawBody: JSON.stringify({ name: "€".repeat(22_000) }) })).status).toBe(413);

    const text = await api.call("POST", "/", { rawBody: "{}", headers: { "content-type": "text/plain" } });
    expect(text.status).toBe(415);
    expect(text.body.code).toBe("UNSUPPORTED_MEDIA_TYPE");

    const input = newBlock();
    expect(
      (await api.call("POST", "/", { rawBody: JSON.stringify(input), headers: { "content-type": "application/json; charset=utf-8" } }))
        .status,
    ).toBe(201);
    expect((await api.call("POST", "/", { rawBody: JSON.stringify(newBlock()) })).status).toBe(201); // no content type
    expect((await api.call("POST", "/", { rawBody: JSON.stringify(newBlock()), base64: true })).status).toBe(201);
  });

  it("404 for an unknown route, 405 with Allow for a known path", async () => {
    const unknown = await api.call("GET", "/a/b/c");
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe("NOT_FOUND");
    const post = await api.call("POST", "/some-pk", { body: {} });
    expect(post.status).toBe(405);
    expect(post.body.code).toBe("METHOD_NOT_ALLOWED");
    expect(post.headers.allow).toBe("GET, PUT, DELETE, PATCH");
    expect((await api.call("DELETE", "/")).headers.allow).toBe("GET, POST");
    expect((await api.call("GET", "/x/deny")).headers.allow).toBe("POST");
    expect((await api.call("OPTIONS", "/x/history")).headers.allow).toBe("GET");
    expect((await api.call("BREW", "/")).status).toBe(405);
  });

  it("503 when DynamoDB is unavailable, never 500", async () => {
    const broken = await createTestApi({ prefix: "broken" });
    await broken.client.send(new (await import("@aws-sdk/client-dynamodb")).DeleteTableCommand({ TableName: broken.tableName }));
    const res = await broken.call("GET", "/");
    expect(res.status).toBe(503);
    expect(res.body.code).toBe("INFRASTRUCTURE_ERROR");
  });
});

describe("unexpected errors", () => {
  it("answer 500 INTERNAL, are logged without the key, and never leak details", async () => {
    const { createApiHandler } = await import("../src/http/create-api-handler");
    const { staticSecretSource } = await import("../src/adapters/secrets-source");
    const { apiEvent } = await import("./support/api");
    const logged: unknown[] = [];
    const handler = createApiHandler({
      store: {
        ...api.store,
        get: async () => {
          throw new TypeError("boom: internal detail");
        },
      },
      history: api.history,
      secrets: staticSecretSource(API_KEY),
      logger: { error: (m, f) => void logged.push({ m, ...f }), warn: () => {} },
    });
    const res = await handler(apiEvent("GET", "/some-pk"), {} as never);
    expect(res.statusCode).toBe(500);
    expect(JSON.parse(res.body)).toEqual({ message: "Internal server error", code: "INTERNAL" });
    // The error itself, then the request's access line (a 5xx is logged at level error).
    expect(logged).toEqual([
      expect.objectContaining({ m: "Unhandled error" }),
      expect.objectContaining({ m: "request", status: 500, errorCode: "INTERNAL" }),
    ]);
    expect(JSON.stringify(logged)).not.toContain(API_KEY);
  });
});

describe("openapi.json", () => {
  it("is an OpenAPI 3.1 document with every route (the planning function's too), the API-key scheme and the error schema", async () => {
    const res = await api.call("GET", "/openapi.json");
    expect(res.status).toBe(200);
    const doc = res.body;
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths).sort()).toEqual([...API_RESOURCES, ...PLANNING_RESOURCES].sort());
    const documented = Object.entries(doc.paths as Record<string, object>).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
    );
    expect(documented.sort()).toEqual([...API_ROUTES, ...PLANNING_ROUTES].sort());
    expect(Object.keys(doc.paths["/"]).sort()).toEqual(["get", "post"]);
    expect(Object.keys(doc.paths["/{PK}"]).sort()).toEqual(["delete", "get", "patch", "put"]);
    expect(doc.components.securitySchemes.ApiKey).toEqual({ type: "apiKey", in: "header", name: "x-api-key" });
    expect(doc.security).toEqual([{ ApiKey: [] }]);
    expect(doc.components.schemas.Error.properties).toHaveProperty("issues");
    expect(doc.components.schemas.Block.properties.policy).toBeTruthy();
    expect(doc.components.schemas.CreateBlockInput.properties.capacity_block_id.deprecated).toBe(true);
    // Every $ref resolves.
    const refs = JSON.stringify(doc).match(/"#\/components\/schemas\/[^"]+"/g) ?? [];
    for (const r of refs) expect(doc.components.schemas).toHaveProperty(r.slice(22, -1));
  });
});
