import { describe, expect, it, vi } from "vitest";
import { ConfigError } from "@cbm/core";
import { loadApiConfig, loadConfig } from "../src/platform/config";
import { sanitizeActor } from "../src/platform/http/request-guards";
import { parseIfMatch } from "../src/platform/http/schemas";

describe("config", () => {
  it("parses the environment into typed values, treating empty strings as unset", () => {
    const c = loadApiConfig({
      TABLE_NAME: "t",
      API_KEY_SECRET_ID: "s",
      API_URL: "https://x.example/prod/",
      NOTIFY_TOPIC_ARN: "",
      DYNAMODB_ENDPOINT: "http://127.0.0.1:8000",
    });
    expect(c).toMatchObject({
      tableName: "t",
      apiKeySecretId: "s",
      apiUrl: "https://x.example/prod/",
      endpoints: { dynamodb: "http://127.0.0.1:8000" },
    });
    expect(c.notifyTopicArn).toBeUndefined();
  });

  it("reads the approval reminder, last-call, payment-alert timings in minutes", () => {
    expect(loadConfig({ TABLE_NAME: "t" }).timings).toEqual({});
    const c = loadConfig({
      TABLE_NAME: "t",
      APPROVAL_REMINDER_MINUTES: "240",
      APPROVAL_LAST_CALL_MINUTES: "90",
      PAYMENT_ALERT_MINUTES: "180",
    });
    expect(c.timings).toEqual({ reminderIntervalMs: 240 * 60_000, lastCallBeforeMs: 90 * 60_000, paymentAlertBeforeMs: 180 * 60_000 });
    expect(() => loadConfig({ TABLE_NAME: "t", APPROVAL_REMINDER_MINUTES: "0" })).toThrow(/APPROVAL_REMINDER_MINUTES/);
    expect(() => loadConfig({ TABLE_NAME: "t", APPROVAL_REMINDER_MINUTES: "soon" })).toThrow(/APPROVAL_REMINDER_MINUTES/);
  });

  it("fails fast naming the missing or invalid key", () => {
    expect(() => loadConfig({})).toThrow(ConfigError);
    expect(() => loadConfig({})).toThrow(/TABLE_NAME: is required/);
    expect(() => loadApiConfig({ TABLE_NAME: "t" })).toThrow(/API_KEY_SECRET_ID/);
    expect(() => loadConfig({ TABLE_NAME: "t", ACCOUNT_ID: "12" })).toThrow(/ACCOUNT_ID/);
    expect(() => loadConfig({ TABLE_NAME: "t", EC2_ENDPOINT: "not a url" })).toThrow(/EC2_ENDPOINT/);
  });
});

describe("http helpers", () => {
  it("sanitizes the actor header", () => {
    expect(sanitizeActor(undefined)).toBe("api-key");
    expect(sanitizeActor("cli:alice")).toBe("cli:alice");
    expect(sanitizeActor("  <>  ")).toBe("api-key");
    // Control characters are refused (400, field x-cbm-actor), not stripped: see edge-input.test.ts.
    expect(() => sanitizeActor("  \u0000<>  ")).toThrow(/x-cbm-actor/);
    expect(sanitizeActor("a".repeat(100))).toHaveLength(64);
  });

  it("reads If-Match in the forms clients send", () => {
    expect(parseIfMatch(undefined)).toBeUndefined();
    expect(parseIfMatch("*")).toBeUndefined();
    expect(parseIfMatch('"3"')).toBe(3);
    expect(parseIfMatch('W/"3"')).toBe(3);
    expect(parseIfMatch("12")).toBe(12);
    expect(() => parseIfMatch("0")).toThrow();
    expect(() => parseIfMatch('"3", "4"')).toThrow();
  });
});

describe("handlers/api composition root", () => {
  it("builds the handler only from a complete environment, failing the cold start naming the missing key", async () => {
    vi.stubEnv("TABLE_NAME", "");
    vi.stubEnv("API_KEY_SECRET_ID", "");
    vi.resetModules();
    await expect(import("../src/composition/handlers/api")).rejects.toThrow(/TABLE_NAME/);
    vi.stubEnv("TABLE_NAME", "cbm-test");
    vi.resetModules();
    await expect(import("../src/composition/handlers/api")).rejects.toThrow(/API_KEY_SECRET_ID/);
    vi.stubEnv("API_KEY_SECRET_ID", "cbm/api-key");
    vi.stubEnv("AWS_REGION", "us-east-1");
    vi.resetModules();
    const mod = await import("../src/composition/handlers/api");
    expect(typeof mod.handler).toBe("function");
    expect(typeof mod.createApiHandler).toBe("function");
    vi.unstubAllEnvs();
  });
});
