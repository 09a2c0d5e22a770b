import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { CONTENT_SECURITY_POLICY, page } from "../src/platform/web/html";

const sha = (s: string) => `'sha256-${createHash("sha256").update(s, "utf8").digest("base64")}'`;

describe("the pages' Content-Security-Policy", () => {
  it("allows exactly the inline style a page carries, byte for byte", () => {
    const doc = page({ title: "t" }, "body");
    const style = /<style>([\s\S]*?)<\/style>/.exec(doc)?.[1];
    expect(style).toBeDefined();
    expect(CONTENT_SECURITY_POLICY).toContain(`style-src ${sha(style!)}`);
  });

  it("allows exactly the inline script a page carries, byte for byte", () => {
    const doc = page({ title: "t" }, "body");
    const script = /<script>([\s\S]*?)<\/script>/.exec(doc)?.[1];
    expect(script).toBeDefined();
    expect(CONTENT_SECURITY_POLICY).toContain(`script-src ${sha(script!)}`);
  });
});
