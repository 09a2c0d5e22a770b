import type { HistoryEvent } from "@cbm/core";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { useConsole } from "./support/browser-world";
import { endAfter, type WebWorld } from "./support/web-world";

/*
 * Issue 22, finding 2, in Chromium: a block denied before its window opens showed "CBM asks for approval" and no
 * way to approve; the page must say what CBM will do (it will not extend), who decided, and offer the override.
 */

let w: WebWorld;
let page: Page;

useConsole("2031-06-02T09:00:00.000Z", (started) => ({ w, page } = started), { signInAs: "erin" });

describe("the block page tells what CBM will do next, and offers the override", () => {
  let endDate: string;

  it("shows a block denied before its window as not extending, naming who denied it", async () => {
    endDate = endAfter(w.local.clock.now(), 10 * 24);
    await w.approvalBlock("denied-early", { endDate });
    await w.local.tick();
    const denied = await w.http("POST", "/denied-early/deny", { window: "next", comment: "project paused" });
    expect(denied.status).toBe(200);

    await page.goto(`${w.local.apiUrl}/console/blocks/denied-early`);
    const next = await page.locator("dt:text-is('Next') + dd").innerText();
    // The window reads as every time in the pages does (the reader's zone), not as raw ISO.
    expect(next).toMatch(/^Will not extend the window ending \d{4}-\d\d-\d\d \d\d:\d\d [^:]+: denied by api-key\./);
    expect(next).not.toMatch(/asks for approval/);
  });

  it("approves that window in advance from the page, replacing the denial", async () => {
    await page.goto(`${w.local.apiUrl}/console/blocks/denied-early`);
    await page.getByLabel(/Justification/).fill("project resumed");
    await page.getByRole("button", { name: "Approve this window anyway" }).click();
    await expect(page.getByRole("status").innerText()).resolves.toContain("Approved");

    const b = await w.block("denied-early");
    expect(b.approval).toMatchObject({ window: endDate, by: "console:erin", comment: "project resumed" });
    expect(b.denial).toBeNull();
    const history = (await w.http<HistoryEvent[]>("GET", "/denied-early/history")).body;
    expect(history[0]!.message).toMatch(/^Approved in advance the extension for the window ending/);
    expect(await page.locator("dt:text-is('Next') + dd").innerText()).toMatch(/^Approved by console:erin for the window ending/);
  });
});
