import { describe, expect, it } from "vitest";
import { API_KEY_CACHE_TTL_MS, formatApiKeySecret, parseApiKeySecret } from "../src/platform/api-key-secret";
import { API_KEY_LENGTH, randomApiKeys } from "../src/adapters/random-api-key";
import { keyName, planKeys, ROTATION_GRACE_MS, switchTime } from "../src/rotation/key-plan";

describe("the API-key secret's contract", () => {
  it("reads the api_key member of the first release's JSON", () => {
    expect(parseApiKeySecret('{"username":"web_user","api_key":"k-123"}')).toEqual({
      ok: true,
      apiKey: "k-123",
      format: "json",
      members: { username: "web_user", api_key: "k-123" },
    });
  });

  it("still takes a bare string as the key itself", () => {
    expect(parseApiKeySecret("  bare-key\n")).toMatchObject({ ok: true, apiKey: "bare-key", format: "bare" });
  });

  it("refuses JSON without a usable api_key, broken JSON or emptiness, without echoing the value", () => {
    for (const bad of ['{"username":"web_user"}', '{"api_key":""}', '{"api_key":42}', "{}", "{not json secret-ish", "", undefined]) {
      const parsed = parseApiKeySecret(bad);
      expect(parsed.ok, String(bad)).toBe(false);
      if (!parsed.ok && bad) expect(parsed.reason).not.toContain(bad);
    }
  });

  it("writes a new key beside the members it had", () => {
    expect(JSON.parse(formatApiKeySecret("new", { username: "ops", api_key: "old", note: "x" }))).toEqual({
      username: "ops",
      api_key: "new",
      note: "x",
    });
  });

  it("gives a bare value the JSON form", () => {
    expect(JSON.parse(formatApiKeySecret("new"))).toEqual({ username: "web_user", api_key: "new" });
  });
});

describe("random API keys", () => {
  it("are 40 alphanumeric characters, different every time", () => {
    const keys = Array.from({ length: 200 }, () => randomApiKeys.newKey());
    for (const k of keys) expect(k).toMatch(new RegExp(`^[A-Za-z0-9]{${API_KEY_LENGTH}}$`));
    expect(new Set(keys).size).toBe(keys.length);
  });
});

describe("which keys API Gateway should hold", () => {
  const prefix = "prod-cbm-";
  const now = new Date("2026-03-01T12:00:00Z");
  const key = (id: string, value: string, name = `${prefix}${id}`) => ({ id, name, value });

  it("keeps the superseded key during the grace, which outlasts the API function's key cache", () => {
    expect(ROTATION_GRACE_MS).toBeGreaterThan(API_KEY_CACHE_TTL_MS);
    const input = {
      attached: [key("a", "old"), key("b", "new")],
      namePrefix: prefix,
      current: { versionId: "v2", apiKey: "new" },
      previous: { apiKey: "old" },
      now,
    };
    expect(planKeys({ ...input, switchedAt: new Date(now.getTime() - ROTATION_GRACE_MS + 1) })).toEqual({ add: [], remove: [] });
    expect(planKeys({ ...input, switchedAt: new Date(now.getTime() - ROTATION_GRACE_MS) })).toEqual({ add: [], remove: [key("a", "old")] });
  });

  it("adds the current key when API Gateway lacks it, named after its version", () => {
    const plan = planKeys({ attached: [], namePrefix: prefix, current: { versionId: "v1", apiKey: "cur" }, switchedAt: now, now });
    expect(plan.add).toEqual([{ name: keyName(prefix, "v1"), value: "cur" }]);
  });

  it("never removes a pending key, nor a key whose name is not its own", () => {
    const plan = planKeys({
      attached: [key("a", "cur"), key("b", "pend"), key("c", "stale"), key("d", "byhand", "alice-key")],
      namePrefix: prefix,
      current: { versionId: "v1", apiKey: "cur" },
      pending: { apiKey: "pend" },
      switchedAt: new Date(0),
      now,
    });
    expect(plan.remove.map((k) => k.id)).toEqual(["c"]);
  });

  it("dates the switch by the later of LastRotatedDate or the current version's creation", () => {
    const created = new Date("2026-03-01T10:00:00Z");
    const rotated = new Date("2026-03-01T10:00:30Z");
    expect(switchTime(created, rotated)).toEqual(rotated);
    expect(switchTime(rotated, created)).toEqual(rotated);
    expect(switchTime(created, undefined)).toEqual(created);
  });
});
