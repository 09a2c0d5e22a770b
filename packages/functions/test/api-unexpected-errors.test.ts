import { describe, expect, it } from "vitest";
import { API_KEY } from "./support/api";
import { useBlockApi } from "./support/block-api";

const { api } = useBlockApi();

describe("unexpected errors", () => {
  it("answer 500 INTERNAL, logged without the key, leaking no details", async () => {
    const { createApiHandler } = await import("../src/composition/create-api-handler");
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
