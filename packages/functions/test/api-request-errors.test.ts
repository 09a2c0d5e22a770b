import { describe, expect, it } from "vitest";
import { createTestApi } from "./support/api";
import { newBlock, useBlockApi } from "./support/block-api";

const { api } = useBlockApi();

describe("request errors", () => {
  it("answers 400 INVALID_JSON to a body that is not JSON", async () => {
    const bad = await api.call("POST", "/", { rawBody: "{not json", headers: { "content-type": "application/json" } });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe("INVALID_JSON");
  });

  it("answers 413 PAYLOAD_TOO_LARGE to a body over 64 KiB, counted in bytes, also when base64-encoded", async () => {
    const big = JSON.stringify({ name: "x".repeat(65 * 1024) });
    const tooLarge = await api.call("POST", "/", { rawBody: big, headers: { "content-type": "application/json" } });
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body.code).toBe("PAYLOAD_TOO_LARGE");
    expect((await api.call("POST", "/", { rawBody: big, base64: true })).status).toBe(413);
    // Multi-byte characters count as bytes: 22,000 × 3 bytes > 64 KiB although under 64 Ki characters.
    expect((await api.call("POST", "/", { rawBody: JSON.stringify({ name: "€".repeat(22_000) }) })).status).toBe(413);
  });

  it("answers 415 UNSUPPORTED_MEDIA_TYPE to a non-JSON content type", async () => {
    const text = await api.call("POST", "/", { rawBody: "{}", headers: { "content-type": "text/plain" } });
    expect(text.status).toBe(415);
    expect(text.body.code).toBe("UNSUPPORTED_MEDIA_TYPE");
  });

  it("takes a JSON body with a charset, with no content type, or base64-encoded", async () => {
    const input = newBlock();
    expect(
      (await api.call("POST", "/", { rawBody: JSON.stringify(input), headers: { "content-type": "application/json; charset=utf-8" } }))
        .status,
    ).toBe(201);
    expect((await api.call("POST", "/", { rawBody: JSON.stringify(newBlock()) })).status).toBe(201); // no content type
    expect((await api.call("POST", "/", { rawBody: JSON.stringify(newBlock()), base64: true })).status).toBe(201);
  });

  it("answers 404 NOT_FOUND to an unknown route", async () => {
    const unknown = await api.call("GET", "/a/b/c");
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe("NOT_FOUND");
  });

  it("answers 405 METHOD_NOT_ALLOWED with Allow to a method a known path does not take", async () => {
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
