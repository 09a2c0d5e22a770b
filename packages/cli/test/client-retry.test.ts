import { describe, expect, it } from "vitest";
import { createCbmClient } from "../src/client";

/*
 * A stalled dependency answers 503 with Retry-After in about a second: the CLI tries again, as a person would, and a
 * write carries one Idempotency-Key across its attempts so a write that landed is replayed by the API, not repeated.
 */
function fakeApi(statuses: number[]) {
  const seen: { method: string; path: string; key: string | null }[] = [];
  const fetch = (async (url: URL, init: RequestInit) => {
    const headers = new Headers(init.headers);
    seen.push({ method: init.method ?? "GET", path: url.pathname, key: headers.get("idempotency-key") });
    const status = statuses.shift() ?? 200;
    const body = status === 200 ? { PK: "b", version: 2 } : { code: "DEPENDENCY_UNAVAILABLE", message: "try again" };
    return new Response(JSON.stringify(body), { status, headers: { "retry-after": "0", "content-type": "application/json" } });
  }) as unknown as typeof globalThis.fetch;
  return { seen, client: createCbmClient({ apiUrl: "http://api.test", apiKey: "k", fetch }) };
}

describe("the CLI's client on 503 and 429", () => {
  it("sends a write again with the same Idempotency-Key until the API answers", async () => {
    const { seen, client } = fakeApi([503, 429]);

    await client.approve("b");

    expect(seen.map((s) => s.method)).toEqual(["PATCH", "PATCH", "PATCH"]);
    expect(new Set(seen.map((s) => s.key)).size).toBe(1);
    expect(seen[0]!.key).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("gives up after three attempts with the API's error", async () => {
    const { seen, client } = fakeApi([503, 503, 503, 503]);

    await expect(client.get("b")).rejects.toMatchObject({ status: 503, code: "DEPENDENCY_UNAVAILABLE" });
    expect(seen).toHaveLength(3);
  });

  it("never sends DELETE /{PK} twice: it keeps no Idempotency-Key record, so a second delete would answer 404", async () => {
    const { seen, client } = fakeApi([503]);

    await expect(client.delete("b")).rejects.toMatchObject({ status: 503 });
    expect(seen).toHaveLength(1);
  });
});
