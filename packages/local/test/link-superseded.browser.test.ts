import type { Block, HistoryEvent } from "@cbm/core";
import { describe, expect, it } from "vitest";
import { useBrowserWorld } from "./support/browser-world";

const s = useBrowserWorld("2031-03-03T08:00:00.000Z");

describe("an approval link answered after the block was paused, in a real browser", () => {
  it("the page says why the link is superseded, recording neither an approval nor a history event", async () => {
    const b = await s.w.approvalBlock("paused-after-notice");
    const link = await s.w.newestLink("paused-after-notice");
    // The approver opens the notice's link; meanwhile someone pauses the block through the API.
    const page = await s.browser.context.newPage();
    await page.goto(link);
    await page.getByLabel(/I have read the terms/).check();
    const paused = await s.w.http<Block>("PUT", "/paused-after-notice", { policy: { enabled: false } });
    expect(paused.status).toBe(200);

    const answer = page.waitForResponse((r) => r.request().method() === "POST");
    await page.getByRole("button", { name: /Approve/ }).click();

    expect((await answer).status()).toBe(409);
    await expect(page.getByRole("heading", { level: 1 }).innerText()).resolves.toBe("This link is out of date");
    const why = await page.getByRole("alert").innerText();
    expect(why).toContain("Nothing was changed: this link is superseded");
    expect(why).toContain("the block is paused (policy.enabled is false)");
    await page.close();
    const after = await s.w.block("paused-after-notice");
    expect(after.version).toBe(paused.body.version);
    expect(after.approval ?? null).toBeNull();
    const history = (await s.w.http<HistoryEvent[]>("GET", "/paused-after-notice/history")).body;
    expect(history.map((e) => e.type)).not.toContain("approved");
    // Not used up: the link still says superseded (409), not "used" (410).
    expect((await fetch(link)).status).toBe(409);
    await s.w.local.tick();
    expect(s.w.purchases(b.capacityReservationId)).toBe(0);
  });
});
