import { describe, expect, it } from "vitest";
import { generateApiKey } from "../src/state-dir";

describe("local mode's generated API key", () => {
  it("is 40 alphanumerics, so it never reads as a flag on a command line", () => {
    const keys = Array.from({ length: 2000 }, () => generateApiKey());

    for (const key of keys) expect(key).toMatch(/^[A-Za-z0-9]{40}$/);
    expect(new Set(keys).size).toBe(keys.length);
  });
});
