import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import type { ApiEvent } from "../src/platform/http/types";
import { API_KEY, apiEvent, createTestApi } from "./support/api";
import { crId } from "./support/blocks";

type Api = Awaited<ReturnType<typeof createTestApi>>;
let api: Api;
const pks: string[] = [];

async function snapshot() {
  const blocks = [];
  let cursor: string | undefined;
  do {
    const page = await api.store.list({ limit: 100, cursor });
    blocks.push(...page.items);
    cursor = page.cursor;
  } while (cursor);
  const history = await Promise.all(pks.map((pk) => api.history.list(pk, { limit: 100 })));
  return { blocks: blocks.sort((a, b) => a.PK.localeCompare(b.PK)), history };
}

beforeAll(async () => {
  api = await createTestApi({ prefix: "fuzz" });
  for (let i = 0; i < 3; i++) {
    const res = await api.call("POST", "/", {
      body: { capacityReservationId: crId(), region: "us-east-1", endDate: "2030-01-07T11:30:00Z" },
    });
    expect(res.status).toBe(201);
    pks.push(res.body.PK);
  }
  const withIntent = (await api.store.get(pks[0]!))!;
  await api.store.update(
    {
      ...withIntent,
      intent: {
        id: "i",
        window: "2030-01-07T11:30:00.000Z",
        offeringId: "o",
        durationHours: 24,
        upfrontFee: "1",
        currencyCode: "USD",
        createdAt: "2030-01-01T00:00:00.000Z",
      },
    },
    withIntent.version,
  );
});

const MUTATING = new Set(["POST", "PUT", "PATCH", "DELETE"]);

const method = fc.oneof(
  fc.constantFrom("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "get", "TRACE"),
  fc.string({ maxLength: 12 }),
);

const pathArb = () =>
  fc.oneof(
    fc.constantFrom("/", "/openapi.json", "//", "/%", "/%2F", "/../..", "/a/b/c/d", "", "no-slash", `/${"x".repeat(3000)}`),
    fc.constantFrom(...pks).map((pk) => `/${pk}`),
    fc
      .constantFrom(...pks)
      .chain((pk) => fc.constantFrom(`/${pk}/deny`, `/${pk}/history`, `/${pk}/`, `/${pk}/nope`, `/${encodeURIComponent(pk)}`)),
    fc.string({ maxLength: 40 }).map((s) => `/${s}`),
    fc.array(fc.string({ maxLength: 8 }), { maxLength: 5 }).map((parts) => `/${parts.map(encodeURIComponent).join("/")}`),
  );

/** Bodies no route accepts: invalid JSON, JSON that is not an object, or objects with unknown or wrongly typed fields. */
const malformedJson = fc.oneof(
  fc.string({ maxLength: 60 }).map((s) => `{${s}`),
  fc.constantFrom("[", '{"a":}', "nul", '"unterminated', "{}}", "\u0000", '{"__proto__":{"x":1}}x'),
  fc
    .oneof(fc.integer(), fc.boolean(), fc.array(fc.jsonValue(), { maxLength: 3 }), fc.string({ maxLength: 20 }))
    .map((v) => JSON.stringify(v)),
  fc
    .dictionary(
      fc.string({ minLength: 1, maxLength: 10 }).map((k) => `zz${k}`),
      fc.jsonValue({ maxDepth: 2 }),
      { minKeys: 1, maxKeys: 4 },
    )
    .map((o) => JSON.stringify(o)),
  fc
    .record({ comment: fc.oneof(fc.integer(), fc.string({ minLength: 1001, maxLength: 1100 })), version: fc.constant("x") })
    .map((o) => JSON.stringify(o)),
  fc.constantFrom(
    JSON.stringify({ policy: { extendByDays: 15 } }),
    JSON.stringify({ PK: "different", version: 0 }),
    JSON.stringify({ status: "approved", version: -1 }),
  ),
);

const headerArb = fc.dictionary(fc.string({ minLength: 1, maxLength: 20 }), fc.string({ maxLength: 40 }), { maxKeys: 4 });
const contentType = fc.oneof(
  fc.constantFrom("application/json", "APPLICATION/JSON; charset=utf-8", "text/plain", "application/xml", "multipart/form-data", ""),
  fc.string({ maxLength: 30 }),
);
const keyArb = fc.oneof(
  { arbitrary: fc.constant(API_KEY), weight: 12 },
  fc.constant(undefined),
  fc.string({ maxLength: 30 }),
  fc.constant(API_KEY + " "),
  fc.constant(API_KEY.toUpperCase()),
);

const requestArb = () =>
  fc
    .record({
      method,
      path: pathArb(),
      headers: headerArb,
      contentType: fc.option(contentType),
      key: keyArb,
      body: fc.option(malformedJson),
      base64: fc.boolean(),
      oversize: fc.boolean(),
      query: fc.option(fc.dictionary(fc.constantFrom("limit", "cursor", "x", "__proto__"), fc.string({ maxLength: 30 }), { maxKeys: 3 })),
      nullHeaders: fc.boolean(),
    })
    .map((r): ApiEvent => {
      let body = r.body;
      if (r.oversize && body) body = body + " ".repeat(70 * 1024);
      const headers: Record<string, string> = { ...r.headers };
      if (r.key !== undefined) headers["x-api-key"] = r.key;
      if (r.contentType !== null) headers["content-type"] = r.contentType;
      const authorised = r.key === API_KEY;
      const upper = typeof r.method === "string" ? r.method.toUpperCase() : "";
      // A request that could legitimately change data (a valid key, a mutating method, a usable body) is made
      // unusable at the edge, so "nothing changed" is what must hold for every generated request.
      // "{" followed by any generated body is never valid JSON (no generated body is exactly "}").
      if (authorised && MUTATING.has(upper)) body = `{${body ?? ""}`;
      const event = apiEvent(r.method, r.path, { rawBody: body, headers, apiKey: false, base64: r.base64, query: r.query ?? undefined });
      if (r.nullHeaders && !authorised) (event as { headers: unknown }).headers = null;
      return event;
    });

describe("fuzz: malformed requests", () => {
  it("never answer 5xx or change stored data", async () => {
    const before = await snapshot();
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(requestArb(), async (event) => {
        const res = await api.send(event);
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        expect(res.status, `${event.httpMethod} ${event.path} → ${res.text}`).toBeLessThan(500);
        expect(res.headers["content-type"]).toBe("application/json");
        expect(() => JSON.parse(res.text)).not.toThrow();
      }),
      { numRuns: 1500 },
    );
    expect(await snapshot()).toEqual(before);
    expect(api.captured.errors).toEqual([]);
    // The run must have exercised more than the auth gate.
    expect([...statuses.keys()].filter((s) => s !== 403).length).toBeGreaterThan(4);
    expect(statuses.get(403) ?? 0).toBeLessThan(1500 / 2);
  });
});
