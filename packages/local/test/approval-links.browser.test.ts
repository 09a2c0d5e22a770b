import { join } from "node:path";
import type { Block, HistoryEvent } from "@cbm/core";
import { describe, expect, it } from "vitest";
import { csrfOf, postForm, useBrowserWorld } from "./support/browser-world";

// 08:00 UTC: a block ending at 11:30 the same day has its window open and closing at 10:25, for the expiry test.
const CLOCK_START = "2031-03-03T08:00:00.000Z";
const s = useBrowserWorld(CLOCK_START);

describe("approval links in a real browser", () => {
  it("a mail scanner's GET (plain fetch and a headless page load) shows the terms and changes nothing", async () => {
    const b = await s.w.approvalBlock("scanned");
    const link = await s.w.newestLink("scanned");
    const before = await s.w.block("scanned");

    const plain = await fetch(link);
    expect(plain.status).toBe(200);
    expect(plain.headers.get("cache-control")).toBe("no-store");
    const page = await s.browser.context.newPage();
    const loaded = await page.goto(link);
    expect(loaded?.status()).toBe(200);
    await expect(page.getByRole("button", { name: /Approve/ }).isVisible()).resolves.toBe(true);
    await page.close();
    await s.w.local.tick();

    const after = await s.w.block("scanned");
    expect(after.version).toBe(before.version);
    expect(after.approval ?? null).toBeNull();
    expect(after.status).toBe("awaiting-approval");
    expect(s.w.purchases(b.capacityReservationId)).toBe(0);
  });

  it("Approve on the confirmation page records exactly the shown terms, one purchase in EC2's ledger", async () => {
    const b = await s.w.approvalBlock("approved-by-link", { policy: { requireJustification: true } });
    const link = await s.w.newestLink("approved-by-link");
    const quote = (await s.w.block("approved-by-link")).approvalRequest!;
    const page = await s.browser.context.newPage();
    await page.goto(link);
    const terms = await page.locator("dl.terms").innerText();
    expect(terms).toContain(`${quote.upfrontFee} USD`);
    expect(terms).toContain("2 × p5.48xlarge");
    expect(terms).toContain("+1 day");
    await page.screenshot({ path: join(s.w.screenshotDir, "approval-link.png") });

    // The justification is required by this block's policy: without it nothing changes.
    await page.getByLabel(/I have read the terms/).check();
    await page.getByLabel(/Justification/).fill("Checkpoint of run 42 needs one more day");
    await page.getByRole("button", { name: /Approve/ }).click();
    await expect(page.getByRole("heading", { level: 1 }).innerText()).resolves.toBe("Thank you");
    await page.close();

    const approved = await s.w.block("approved-by-link");
    expect(approved.approval).toMatchObject({ by: "link:outbox", comment: "Checkpoint of run 42 needs one more day" });
    expect(approved.approval!.terms).toMatchObject({
      basis: "quote",
      durationsHours: [quote.durationHours],
      maxUpfrontFee: quote.upfrontFee,
      currency: "USD",
    });
    await s.w.local.tick();
    await s.w.local.tick();
    expect(s.w.purchases(b.capacityReservationId)).toBe(1);
    const history = (await s.w.http<HistoryEvent[]>("GET", "/approved-by-link/history")).body;
    expect(history.find((e) => e.type === "approved")).toMatchObject({ actor: "link:outbox" });
  });

  it("a used link changes nothing: its page says so, a replayed form post buys nothing more", async () => {
    const b = await s.w.approvalBlock("used-twice");
    const link = await s.w.newestLink("used-twice");
    const csrf = await csrfOf(link);
    const first = await postForm(link, { csrf, confirm: "yes", action: "approve" });
    expect(first.status).toBe(200);
    await s.w.local.tick();
    expect(s.w.purchases(b.capacityReservationId)).toBe(1);

    const replay = await postForm(link, { csrf, confirm: "yes", action: "approve" });
    expect(replay.status).toBe(410);
    const page = await s.browser.context.newPage();
    await page.goto(link);
    await expect(page.getByRole("heading", { level: 1 }).innerText()).resolves.toBe("This link was used already");
    await page.close();
    await s.w.local.tick();
    expect(s.w.purchases(b.capacityReservationId)).toBe(1);
  });

  it("two submissions at once act once", async () => {
    const b = await s.w.approvalBlock("raced");
    const link = await s.w.newestLink("raced");
    const csrf = await csrfOf(link);
    const answers = await Promise.all([1, 2, 3].map(() => postForm(link, { csrf, confirm: "yes", action: "approve" })));
    expect(answers.map((r) => r.status).sort()).toEqual([200, 410, 410]);
    const approvals = (await s.w.http<HistoryEvent[]>("GET", "/raced/history")).body.filter((e) => e.type === "approved");
    expect(approvals).toHaveLength(1);
    await s.w.local.tick();
    expect(s.w.purchases(b.capacityReservationId)).toBe(1);
  });

  it("a form post without the ticked box, from another origin, or without the page's CSRF token changes nothing", async () => {
    const b = await s.w.approvalBlock("forged");
    const link = await s.w.newestLink("forged");
    const csrf = await csrfOf(link);
    expect((await postForm(link, { csrf, action: "approve" })).status).toBe(400);
    expect((await postForm(link, { csrf, confirm: "yes", action: "approve" }, "https://evil.example")).status).toBe(403);
    expect((await postForm(link, { csrf: "x".repeat(43), confirm: "yes", action: "approve" })).status).toBe(400);
    await s.w.local.tick();
    const after = await s.w.block("forged");
    expect(after.approval ?? null).toBeNull();
    expect(s.w.purchases(b.capacityReservationId)).toBe(0);
  });

  it("Deny through the link records the denial by the link's recipient; nothing is bought in the window", async () => {
    const b = await s.w.approvalBlock("denied-by-link");
    const link = await s.w.newestLink("denied-by-link");
    const page = await s.browser.context.newPage();
    await page.goto(link);
    await page.getByLabel(/I have read the terms/).check();
    await page.getByLabel(/Justification/).fill("Run finished early");
    await page.getByRole("button", { name: /Deny/ }).click();
    await expect(page.locator("[role=status]").innerText()).resolves.toContain("denial is recorded");
    await page.close();
    await s.w.local.tick();
    const denied = await s.w.block("denied-by-link");
    expect(denied.status).toBe("denied");
    expect(denied.denial).toMatchObject({ by: "link:outbox", comment: "Run finished early" });
    expect(s.w.purchases(b.capacityReservationId)).toBe(0);
  });

  it("a tampered token is refused as invalid, changing nothing", async () => {
    await s.w.approvalBlock("tampered");
    const link = await s.w.newestLink("tampered");
    const [base, token] = [link.slice(0, link.lastIndexOf("/") + 1), link.slice(link.lastIndexOf("/") + 1)];
    const [body, sig] = token.split(".") as [string, string];
    const claims = JSON.parse(Buffer.from(body, "base64url").toString("utf8")) as { upfrontFee: string };
    claims.upfrontFee = "1.00";
    const forged = `${base}${Buffer.from(JSON.stringify(claims)).toString("base64url")}.${sig}`;
    expect((await fetch(forged)).status).toBe(404);
    expect((await postForm(forged, { csrf: "x", confirm: "yes", action: "approve" })).status).toBe(404);
    expect(((await s.w.block("tampered")) as Block).approval ?? null).toBeNull();
  });

  it("an expired link (the window's last call passed) says so and changes nothing", async () => {
    // Ends at 11:30 today: CBM's window closes at 10:25, and so does the link.
    const b = await s.w.approvalBlock("expiring", { endDate: "2031-03-03T11:30:00.000Z" });
    const link = await s.w.newestLink("expiring");
    const csrf = await csrfOf(link);
    s.w.local.emulator!.control.advance({ hours: 2, minutes: 30 });
    const page = await s.browser.context.newPage();
    const res = await page.goto(link);
    expect(res?.status()).toBe(410);
    await expect(page.getByRole("heading", { level: 1 }).innerText()).resolves.toBe("This link has expired");
    await page.close();
    expect((await postForm(link, { csrf, confirm: "yes", action: "approve" })).status).toBe(410);
    await s.w.local.tick();
    expect((await s.w.block("expiring")).approval ?? null).toBeNull();
    expect(s.w.purchases(b.capacityReservationId)).toBe(0);
  });
});
