import { describe, expect, it } from "vitest";
import { API_KEY } from "./support/api";
import { useBlockApi } from "./support/block-api";

const { api } = useBlockApi();

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
