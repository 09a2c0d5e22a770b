import { join } from "node:path";
import type { HistoryEvent } from "@cbm/core";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { useConsole } from "./support/browser-world";
import type { Chromium } from "./support/chromium";
import type { WebWorld } from "./support/web-world";

let w: WebWorld;
let browser: Chromium;
let page: Page;

useConsole("2031-05-05T09:00:00.000Z", (started) => ({ w, browser, page } = started));

/** Parses RFC 4180 CSV (quoted fields, doubled quotes, CRLF). */
function parseCsv(text: string): Record<string, string>[] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      row.push(cell);
      cell = "";
    } else if (ch === "\n") {
      row.push(cell.replace(/\r$/, ""));
      rows.push(row);
      row = [];
      cell = "";
    } else cell += ch;
  }
  const [header, ...data] = rows;
  return data.map((r) => Object.fromEntries(header!.map((h, i) => [h, r[i] ?? ""])));
}

describe("the console in a real browser", () => {
  it("refuses a wrong key", async () => {
    await w.approvalBlock("console-approve", { team: "vision" });
    await w.local.tick();
    await page.goto(`${w.local.apiUrl}/console`);
    await page.getByLabel("API key").fill("not-the-key");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("alert").innerText()).resolves.toContain("not the API key");
  });

  it("signs in with the API key without keeping it in the browser", async () => {
    await page.getByLabel("API key").fill(w.local.apiKey);
    await page.getByLabel(/Your name/).fill("dana");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(/\/console\/blocks$/);

    const [cookie] = await browser.context.cookies(w.local.apiUrl + "/console");
    expect(cookie).toMatchObject({ name: "cbm_session", httpOnly: true, sameSite: "Strict", path: "/console" });
    expect(cookie!.value).not.toContain(w.local.apiKey);
    // Runs in the page; written as a string because this package's TypeScript has no DOM types.
    const stored = await page.evaluate<string>(
      "JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }) + document.cookie",
    );
    expect(stored).not.toContain(w.local.apiKey);
  });

  it("lists pending approvals first, then every block by urgency", async () => {
    await page.goto(`${w.local.apiUrl}/console/blocks`);
    const pending = page.locator("section", { has: page.getByRole("heading", { name: /Waiting for approval/ }) });
    await expect(pending.getByRole("link", { name: "console-approve" }).isVisible()).resolves.toBe(true);
    await expect(page.getByRole("link", { name: "partner-shared" }).isVisible()).resolves.toBe(true);
    await page.screenshot({ path: join(w.screenshotDir, "console-blocks.png") });
  });

  it("applies the page's own style and script under its Content-Security-Policy, and reports no violation", async () => {
    const violations: string[] = [];
    page.on("console", (m) => {
      if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
    });
    await page.goto(`${w.local.apiUrl}/console/blocks`);
    // The header's navy comes only from the inline style. That the inline script runs (times read in the reader's
    // zone) shows in times-in-reader-zone.browser.test.ts, whose browser is in another zone than UTC.
    const headerBackground = await page.evaluate<string>('getComputedStyle(document.querySelector("header")).backgroundColor');
    expect(headerBackground).toBe("rgb(20, 33, 61)");
    await expect(page.locator("time[datetime]").first().getAttribute("title")).resolves.toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d UTC$/);
    expect(violations).toEqual([]);
  });

  it("approves from the block page; the scheduler then buys exactly one extension", async () => {
    const b = await w.block("console-approve");
    await page.getByRole("link", { name: "console-approve" }).first().click();
    await page.waitForURL(/\/console\/blocks\/console-approve$/);
    await expect(page.getByText("Approving covers exactly").innerText()).resolves.toContain(b.approvalRequest!.upfrontFee!);
    await page.screenshot({ path: join(w.screenshotDir, "console-block.png") });
    await page.getByLabel(/Justification/).fill("Needed for the vision benchmark");
    await page.getByRole("button", { name: "Approve", exact: true }).click();
    await expect(page.getByRole("status").innerText()).resolves.toContain("Approved");

    const approved = await w.block("console-approve");
    expect(approved.approval).toMatchObject({ by: "console:dana", comment: "Needed for the vision benchmark" });
    await w.local.tick();
    expect(w.purchases(b.capacityReservationId)).toBe(1);
    await page.reload();
    await expect(page.locator("ol.timeline").innerText()).resolves.toContain("console:dana");
  });

  it("pauses, then resumes a block from its page, each recorded in history", async () => {
    await page.goto(`${w.local.apiUrl}/console/blocks/trn2-experiments`);
    await page.getByRole("button", { name: /Pause this block/ }).click();
    await expect(page.getByRole("status").innerText()).resolves.toContain("Paused");
    expect((await w.block("trn2-experiments")).policy.enabled).toBe(false);
    await page.getByRole("button", { name: /Resume this block/ }).click();
    expect((await w.block("trn2-experiments")).policy.enabled).toBe(true);
    const history = (await w.http<HistoryEvent[]>("GET", "/trn2-experiments/history")).body.filter((e) => e.type === "updated");
    expect(history.slice(0, 2).map((e) => e.actor)).toEqual(["console:dana", "console:dana"]);
  });

  it("shows spend per team tag", async () => {
    await page.goto(`${w.local.apiUrl}/console/spend`);
    await expect(page.getByRole("table", { name: /Per team tag/ }).innerText()).resolves.toContain("vision");
  });

  it("exports every purchase (new blocks, extensions) as CSV at the fee EC2 charged", async () => {
    const res = await page.context().request.get(`${w.local.apiUrl}/console/spend.csv`);
    expect(res.status()).toBe(200);
    expect(res.headers()["content-type"]).toContain("text/csv");
    const rows = parseCsv(await res.text());
    // The spend report counts the blocks capacity requests bought as well as extensions.
    const ledger = w.local
      .emulator!.control.ledger()
      .filter((e) => e.action === "PurchaseCapacityBlockExtension" || e.action === "PurchaseCapacityBlock");
    expect(rows).toHaveLength(ledger.length);
    const mine = rows.find((r) => r.pk === "console-approve")!;
    const charged = ledger.find((e) => e.offeringId === mine.offeringId) as unknown as { upfrontFee: string };
    expect(mine).toMatchObject({ team: "vision", currency: "USD", status: "pending", upfrontFee: charged.upfrontFee });
  });

  it("shows the same spend as GET /reports/spend", async () => {
    const csv = await page.context().request.get(`${w.local.apiUrl}/console/spend.csv`);
    const consoleRows = parseCsv(await csv.text());

    const api = (await w.http<{ purchases: { offeringId: string; upfrontFee: string; status: string }[] }>("GET", "/reports/spend")).body;

    expect(consoleRows.map((r) => [r.offeringId, r.upfrontFee, r.status])).toEqual(
      api.purchases.map((p) => [p.offeringId, p.upfrontFee, p.status]),
    );
  });

  it("a form post from another origin, or without a session, changes nothing", async () => {
    const before = await w.block("trn2-experiments");
    const cookies = await browser.context.cookies(w.local.apiUrl + "/console");
    const session = `cbm_session=${cookies[0]!.value}`;
    const post = (headers: Record<string, string>) =>
      fetch(`${w.local.apiUrl}/console/blocks/trn2-experiments/pause`, {
        method: "POST",
        redirect: "manual",
        headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
        body: "csrf=x",
      });
    expect((await post({ origin: "https://evil.example", cookie: session })).status).toBe(403);
    expect((await post({ origin: w.local.apiUrl, cookie: session })).status).toBe(403); // the page's CSRF token is missing
    expect((await post({ origin: w.local.apiUrl })).status).toBe(403);
    expect((await w.block("trn2-experiments")).version).toBe(before.version);
  });

  it("signs out: the session cookie cleared, every page leads back to sign-in", async () => {
    await page.goto(`${w.local.apiUrl}/console/blocks`);
    await page.getByRole("button", { name: /Sign out/ }).click();
    await page.waitForURL(/\/console$/);
    expect(await browser.context.cookies(w.local.apiUrl + "/console")).toHaveLength(0);
    await page.goto(`${w.local.apiUrl}/console/spend`);
    await expect(page.getByRole("heading", { level: 1 }).innerText()).resolves.toBe("Sign in to the console");
  });
});
