import { describe, expect, it } from "vitest";
import { createTestApi } from "./support/api";
import { newBlock, useBlockApi } from "./support/block-api";

const { api } = useBlockApi();

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
