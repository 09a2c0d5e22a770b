import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { InfrastructureError } from "@cbm/core";
import { createSecretsManagerSource } from "../src/adapters/secrets-manager";
import { keysMatch } from "../src/platform/keys-match";
import { apiKeyAuth } from "../src/platform/http/auth";
import type { ApiEvent } from "../src/platform/http/types";

const sm = mockClient(SecretsManagerClient);
let now = 0;
const source = () =>
  createSecretsManagerSource({ client: new SecretsManagerClient({ region: "us-east-1" }), secretId: "cbm/api-key", now: () => now });

beforeEach(() => {
  sm.reset();
  now = 1_000_000;
});

describe("Secrets Manager API-key source", () => {
  it("shares one call between concurrent cold requests", async () => {
    sm.on(GetSecretValueCommand, { SecretId: "cbm/api-key" }).resolves({ SecretString: "key-1\n" });
    const s = source();
    expect(await Promise.all([s.apiKey(), s.apiKey(), s.apiKey()])).toEqual(["key-1", "key-1", "key-1"]);
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(1);
  });

  it("caches the key for the TTL, then fetches again", async () => {
    sm.on(GetSecretValueCommand, { SecretId: "cbm/api-key" }).resolves({ SecretString: "key-1\n" });
    const s = source();
    expect(await s.apiKey()).toBe("key-1");
    now += 4 * 60_000;
    expect(await s.apiKey()).toBe("key-1");
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    now += 2 * 60_000; // past the 5-minute TTL
    await s.apiKey();
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });

  it("picks up a rotated key through a rate-limited refresh", async () => {
    sm.on(GetSecretValueCommand).resolvesOnce({ SecretString: "old" }).resolves({ SecretString: "new" });
    const s = source();
    const auth = apiKeyAuth(s);
    const run = (key: string) => auth.before!({ event: { headers: { "x-api-key": key } } as unknown as ApiEvent } as never);
    await run("old");
    // Right after a fetch, a non-matching key does not trigger another call (at most one per 10 s).
    await expect(run("new")).rejects.toThrow("Forbidden");
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    now += 11_000;
    await run("new");
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(2);
    // A flood of wrong keys costs at most one call per interval.
    for (let i = 0; i < 20; i++) await expect(run(`wrong-${i}`)).rejects.toThrow("Forbidden");
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(2);
    await run("new");
  });

  it("reads the api_key member of the deployed JSON secret, after it a bare string as before", async () => {
    sm.on(GetSecretValueCommand)
      .resolvesOnce({ SecretString: '{"username":"web_user","api_key":"json-key"}' })
      .resolves({ SecretString: "bare-key" });
    const s = source();
    expect(await s.apiKey()).toBe("json-key");
    now += 6 * 60_000;
    expect(await s.apiKey()).toBe("bare-key");
  });

  it("treats JSON without api_key as a broken deployment (503), not as a key", async () => {
    sm.on(GetSecretValueCommand).resolves({ SecretString: '{"username":"web_user"}' });
    const s = source();
    const auth = apiKeyAuth(s);
    await expect(s.apiKey()).rejects.toBeInstanceOf(InfrastructureError);
    await expect(
      auth.before!({ event: { headers: { "x-api-key": '{"username":"web_user"}' } } as unknown as ApiEvent } as never),
    ).rejects.toBeInstanceOf(InfrastructureError);
  });

  it("maps a failure or an empty secret to InfrastructureError (503), never to a silent open door", async () => {
    sm.on(GetSecretValueCommand)
      .rejectsOnce(Object.assign(new Error("denied"), { name: "AccessDeniedException" }))
      .resolves({});
    const s = source();
    await expect(s.apiKey()).rejects.toBeInstanceOf(InfrastructureError);
    await expect(s.apiKey()).rejects.toThrow("no SecretString");
  });
});

describe("keysMatch", () => {
  it("compares by value whatever the lengths", () => {
    expect(keysMatch("abc", "abc")).toBe(true);
    expect(keysMatch("abc", "abd")).toBe(false);
    expect(keysMatch("abc", "abcd")).toBe(false);
    expect(keysMatch("x".repeat(10_000), "x")).toBe(false);
  });

  it("never matches an empty key", () => {
    expect(keysMatch("", "")).toBe(false);
  });
});
