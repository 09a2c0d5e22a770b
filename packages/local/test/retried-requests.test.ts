import { describe, expect, it } from "vitest";
import type { LocalHandle } from "../src/local-options";
import { blockPurchases, call, requestBody, useQuietLocal } from "./support/local-cbm";

/*
 * Finding 1 of issue 21: local mode built its planning API without the idempotency store, so retries of
 * POST /requests with one Idempotency-Key opened (and bought) a request each. Through local mode's HTTP API, as a
 * user's retrying client sends them.
 */
let local: LocalHandle;
useQuietLocal((started) => (local = started));

interface Req {
  id: string;
  status: string;
}

describe("retries of capacity-request writes in local mode", () => {
  it("answers five posts with one Idempotency-Key with one request, buying one block", async () => {
    const headers = { "idempotency-key": `retry-${crypto.randomUUID()}` };
    const body = requestBody(local, { name: "retried" });

    const inARow = [
      await call<Req>(local, "POST", "/requests", { body, headers }),
      await call<Req>(local, "POST", "/requests", { body, headers }),
    ];
    const atOnce = await Promise.all([1, 2, 3].map(() => call<Req>(local, "POST", "/requests", { body, headers })));
    await call(local, "POST", "/_local/tick");

    const answers = [...inARow, ...atOnce];
    expect(answers.map((a) => a.status)).toEqual([201, 201, 201, 201, 201]);
    expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
    expect(answers.slice(1).every((a) => a.headers.get("idempotent-replayed") === "true")).toBe(true);
    expect(blockPurchases(local)).toHaveLength(1);
  });

  it("refuses the same key with another body with 422", async () => {
    const headers = { "idempotency-key": `reuse-${crypto.randomUUID()}` };
    const first = await call(local, "POST", "/requests", { body: requestBody(local, { name: "first" }), headers });

    const other = await call<{ code: string }>(local, "POST", "/requests", { body: requestBody(local, { name: "other" }), headers });

    expect(first.status).toBe(201);
    expect(other.status).toBe(422);
    expect(other.body.code).toBe("IDEMPOTENCY_KEY_REUSED");
  });

  it("answers a retried cancel with the first answer", async () => {
    const created = await call<Req>(local, "POST", "/requests", { body: requestBody(local, { name: "cancelled" }) });
    const headers = { "idempotency-key": `cancel-${crypto.randomUUID()}` };

    const first = await call<Req>(local, "DELETE", `/requests/${created.body.id}`, { headers });
    const retry = await call<Req>(local, "DELETE", `/requests/${created.body.id}`, { headers });

    expect(first.status).toBe(200);
    expect(retry.status).toBe(200);
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
  });
});
