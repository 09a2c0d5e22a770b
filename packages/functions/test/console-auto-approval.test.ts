import { describe, expect, it } from "vitest";
import { loadConfig } from "../src/platform/config";
import { createWebHandlers } from "./support/web-handlers";

/*
 * Issue 22: a stage deployed without ADMIN_EMAIL approves automatically what would need approval (the first
 * release's behaviour). The stacks set AUTO_APPROVAL=on on the web function; every console page must then say so.
 */
const BANNER = /Auto-approval is on\..*deployed without ADMIN_EMAIL.*approved automatically/s;

async function pageText(autoApproval: boolean, path: string): Promise<string> {
  const h = await createWebHandlers(autoApproval ? "auto" : "asked", { autoApproval });
  const { cookie } = await h.signIn();
  const res = await h.call("GET", path, { apiKey: false, headers: { Cookie: cookie } });
  expect(res.status).toBe(200);
  return res.text.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ");
}

describe("the console of a stage without an approver", () => {
  it("says on the blocks page that purchases needing approval are approved automatically", async () => {
    const text = await pageText(true, "/console/blocks");

    expect(text).toMatch(BANNER);
  });

  it("says it on a block's own page too", async () => {
    const h = await createWebHandlers("auto-block", { autoApproval: true });
    const { block } = await h.askingBlock();
    const { cookie } = await h.signIn();

    const res = await h.call("GET", `/console/blocks/${block.PK}`, { apiKey: false, headers: { Cookie: cookie } });

    expect(res.text.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ")).toMatch(BANNER);
  });

  it("shows no such banner when an approver can be reached", async () => {
    const text = await pageText(false, "/console/blocks");

    expect(text).not.toContain("Auto-approval is on");
  });
});

describe("AUTO_APPROVAL in the functions' environment", () => {
  it("turns the console's auto-approval notice on only when the stacks set it to on", () => {
    const on = loadConfig({ TABLE_NAME: "t", AUTO_APPROVAL: "on" });
    const off = loadConfig({ TABLE_NAME: "t" });

    expect([on.autoApproval, off.autoApproval]).toEqual([true, false]);
    expect(() => loadConfig({ TABLE_NAME: "t", AUTO_APPROVAL: "yes" })).toThrow(/AUTO_APPROVAL/);
  });
});
