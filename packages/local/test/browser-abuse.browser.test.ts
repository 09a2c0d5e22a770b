import { readFileSync, writeFileSync } from "node:fs";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { main as cbmMain } from "../../cli/src/main";
import type { Io } from "../../cli/src/io";
import { signIn as signInAs, useConsole } from "./support/browser-world";
import { launchChromium, type Chromium } from "./support/chromium";
import type { WebWorld } from "./support/web-world";

/*
 * What a probe found on the browser routes, each replayed in Chromium against local mode: the old cookie after
 * sign-out, a tag with control and bidi characters in the console, the CSV and the CLI, a rebound host name, the
 * error page, the repeated field, and sign-in throttling. The same abuse against the AWS assembly's handlers:
 * packages/functions/test/web-abuse.test.ts.
 */
let w: WebWorld;
let browser: Chromium;
let page: Page;
/** Tag text stored before the text rule: a bidi override, a bell, and a cell a `;` spreadsheet would split. */
const LEGACY_TEAM = "t;@SUM(1)\u202eevil\u0007";

useConsole("2031-05-05T09:00:00.000Z", (started) => ({ w, browser, page } = started));

/** Signs in afresh as dana (any earlier session's cookie dropped first). */
const signIn = (p: Page, base = w.local.apiUrl) => signInAs(p, w, "dana", base);

/** Runs `cbm` in-process against local mode and returns what it printed. */
async function cbm(...args: string[]): Promise<string> {
  let out = "";
  const sink = { write: (s: string | Uint8Array) => ((out += String(s)), true) };
  const io = { stdout: sink, stderr: sink, stdin: process.stdin, env: {}, cwd: process.cwd(), isTTY: true } as unknown as Io;
  await cbmMain([...args, "--api-url", w.local.apiUrl, "--api-key", w.local.apiKey], io);
  return out;
}

describe("the browser surface under abuse, in Chromium", () => {
  it("a copy of the session cookie kept past sign-out opens nothing, changes nothing", async () => {
    await w.approvalBlock("abuse-pause");
    await signIn(page);
    const old = await browser.context.cookies(w.local.apiUrl + "/console");
    await page.goto(`${w.local.apiUrl}/console/blocks/abuse-pause`);
    const csrf = await page.locator('input[name="csrf"]').first().getAttribute("value");
    await page.getByRole("button", { name: /Sign out/ }).click();
    await page.waitForURL(/\/console$/);

    await browser.context.addCookies(old);
    await page.goto(`${w.local.apiUrl}/console/blocks`);
    const pause = await page.request.post(`${w.local.apiUrl}/console/blocks/abuse-pause/pause`, {
      form: { csrf: csrf! },
      headers: { origin: w.local.apiUrl },
      maxRedirects: 0,
    });

    await expect(page.getByRole("heading", { level: 1 }).innerText()).resolves.toBe("Sign in to the console");
    expect(pause.status()).toBe(403);
    expect((await w.block("abuse-pause")).policy.enabled).toBe(true);
    await browser.context.clearCookies();
  });

  it("refuses a tag with control or bidi characters", async () => {
    const refused = await w.http<{ issues: { field: string }[] }>("PUT", "/abuse-pause", { tags: { team: "ops\u202e0001 DSU\u0007" } });
    expect(refused.status).toBe(400);
    expect(refused.body.issues.map((i) => i.field)).toEqual(["tags.team"]);
  });

  it("shows a tag stored before that rule escaped in the console, the CSV, the CLI", async () => {
    // A record from before the rule: bought once, then its tag written straight to the table.
    await w.approvalBlock("legacy-tags");
    await w.local.tick();
    expect((await w.http("PATCH", "/legacy-tags")).status).toBe(200);
    await w.local.tick();
    const b = await w.block("legacy-tags");
    await w.local.store.update({ ...b, tags: { team: LEGACY_TEAM } }, b.version);

    await signIn(page);
    const row = page.getByRole("row", { name: /legacy-tags/ }).first();
    const shown = await row.innerText();
    const csv = await (await page.context().request.get(`${w.local.apiUrl}/console/spend.csv`)).text();
    const printed = await cbm("report");

    expect(shown).toContain("t;@SUM(1)\\u{202e}evil\\u{7}");
    expect(shown).not.toMatch(/[\u202e]/);
    expect(csv).toContain(`,"t;@SUM(1)\\u{202e}evil\\u{7}",`);
    expect(printed).toContain("t;@SUM(1)\\u202eevil\\u0007");
    expect(printed).not.toContain("\u202e");
    expect(printed).not.toContain("\u0007");
  });

  it("answers a mistyped console address with an HTML page that repeats none of it", async () => {
    const dialogs: string[] = [];
    page.on("dialog", (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    const res = await page.goto(`${w.local.apiUrl}/console/blocks/legacy-tags?<img src=x onerror=alert(1)>=1`);
    const head = await page.request.head(`${w.local.apiUrl}/link/any-token`);

    expect(res!.status()).toBe(400);
    expect(res!.headers()["content-type"]).toBe("text/html; charset=utf-8");
    expect(res!.headers()["content-security-policy"]).toContain("default-src 'none'");
    await expect(page.getByRole("heading", { level: 1 }).innerText()).resolves.toBe("Not understood");
    await expect(page.content()).resolves.not.toContain("onerror");
    expect(dialogs).toEqual([]);
    expect(head.status()).toBe(405);
    expect(head.headers()["content-type"]).toBe("text/html; charset=utf-8");
  });

  it("refuses a link form carrying a second, hidden answer, approving nothing", async () => {
    await w.approvalBlock("abuse-link");
    const link = await w.newestLink("abuse-link");
    await page.goto(link);
    // A tampered page: a hidden `action=deny` beside the Approve button, as a script injected elsewhere could add.
    await page.evaluate(
      `(() => { const i = document.createElement("input"); i.type = "hidden"; i.name = "action"; i.value = "deny"; document.querySelector("form").appendChild(i); })()`,
    );
    await page.getByRole("checkbox").check();
    const [res] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === "POST"),
      page.getByRole("button", { name: /Approve/ }).click(),
    ]);

    expect(res.status()).toBe(400);
    await expect(page.getByRole("heading", { level: 1 }).innerText()).resolves.toBe("Not understood");
    const b = await w.block("abuse-link");
    expect(b.approval ?? null).toBeNull();
    expect(b.status).toBe("awaiting-approval");
  });

  it("answers no other host name than its own, so a rebound DNS name reaches nothing", async () => {
    const rebinding = await launchChromium([`--host-resolver-rules=MAP rebind.example 127.0.0.1`]);
    try {
      const p = await rebinding.context.newPage();
      // The rebound name's own page asks for the key, as local mode's sign-in page would if it answered.
      const res = await p.goto(`http://rebind.example:${w.local.port}/console`);
      expect(res!.status()).toBe(421);
      expect(res!.headers()["content-type"]).toBe("text/html; charset=utf-8");
      await expect(p.getByLabel("API key").count()).resolves.toBe(0);
      await expect(p.getByRole("heading", { level: 1 }).innerText()).resolves.toBe("Wrong address");
    } finally {
      await rebinding.close();
    }
  });

  it("ends every session when the API key file is edited (local mode's key rotation)", async () => {
    await signIn(page);
    const original = readFileSync(w.local.keyFile, "utf8");
    try {
      writeFileSync(w.local.keyFile, "rotated-local-key-0123456789abcdef\n");
      // The key file is re-read at most every 5 seconds.
      await new Promise((r) => setTimeout(r, 5_500));
      await page.goto(`${w.local.apiUrl}/console/blocks`);
      await expect(page.getByRole("heading", { level: 1 }).innerText()).resolves.toBe("Sign in to the console");
      expect(await browser.context.cookies(w.local.apiUrl + "/console")).not.toEqual([]); // the cookie is there, void
    } finally {
      writeFileSync(w.local.keyFile, original);
      await new Promise((r) => setTimeout(r, 5_500));
    }
  });

  it("throttles sign-in per client, as WAF does in AWS", async () => {
    const answers = [];
    for (let i = 0; i < 12; i++) {
      answers.push(
        await page.request.post(`${w.local.apiUrl}/console/session`, {
          form: { apiKey: `wrong-${i}` },
          headers: { origin: w.local.apiUrl },
          maxRedirects: 0,
        }),
      );
    }
    const statuses = answers.map((r) => r.status());
    // Earlier tests signed in from this client too: at most 10 attempts a minute in all, then 429 pages.
    expect(statuses.filter((s) => s === 403).length).toBeLessThanOrEqual(10);
    expect(statuses.slice(-2)).toEqual([429, 429]);
    expect(answers.at(-1)!.headers()["content-type"]).toBe("text/html; charset=utf-8");
    expect(answers.at(-1)!.headers()["retry-after"]).toBe("60");
  });
});
