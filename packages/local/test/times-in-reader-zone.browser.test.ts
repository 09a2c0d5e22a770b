import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, type Chromium } from "./support/chromium";
import { endAfter, startWebWorld, type WebWorld } from "./support/web-world";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

/*
 * Issue 22, finding 9 ("raw ISO timestamps beside formatted ones"): the pages showed times in UTC, some as raw ISO
 * in sentences, with the reader's own time only in a tooltip. Every time in a page is now read in the reader's zone
 * (here Asia/Kolkata, UTC+5:30, so 11:30 UTC reads 17:00) in one format, with the UTC time on hover.
 */
const ZONE = "Asia/Kolkata";
/** Raw ISO-8601 instants, as the API and `--json` show them, must not appear in a page's text. */
const RAW_ISO = /\d{4}-\d\d-\d\dT\d\d:\d\d/;

let w: WebWorld;
let browser: Chromium;
let page: Page;

beforeAll(async () => {
  [w, browser] = await Promise.all([startWebWorld("2031-09-01T09:00:00.000Z"), launchChromium([], { timezoneId: ZONE, locale: "en-GB" })]);
  page = await browser.context.newPage();
  await page.goto(`${w.local.apiUrl}/console`);
  await page.getByLabel("API key").fill(w.local.apiKey);
  await page.getByLabel(/Your name/).fill("tara");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(/\/console\/blocks$/);
});

afterAll(async () => {
  await browser?.close();
  await w?.stop();
});

/** Every <time> of the page: its datetime, the text the reader sees and the tooltip. */
async function times(): Promise<{ datetime: string; text: string; title: string }[]> {
  return page.$$eval("time", (ts) =>
    ts.map((t) => ({ datetime: t.getAttribute("datetime") ?? "", text: t.textContent ?? "", title: t.getAttribute("title") ?? "" })),
  );
}

/** The zone's short name as the browser's ICU data gives it (Chromium: "GMT+5:30", some builds "IST"). */
const ZONE_NAME = "(?:GMT\\+5:30|IST)";

/** The reader's local text of `iso` in the pages' one format, and the UTC tooltip. */
function expected(iso: string): { text: RegExp; title: string } {
  const local = new Date(Date.parse(iso) + 330 * 60_000).toISOString();
  return {
    text: new RegExp(`^${local.slice(0, 10)} ${local.slice(11, 16)} ${ZONE_NAME}$`),
    title: `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`,
  };
}

async function expectReaderTimes(url: string): Promise<void> {
  await page.goto(url);
  const found = await times();
  expect(found.length, `times on ${url}`).toBeGreaterThan(0);
  for (const t of found) {
    const want = expected(t.datetime);
    expect(t.text, `the text of ${t.datetime} on ${url}`).toMatch(want.text);
    expect(t.title, `the tooltip of ${t.datetime} on ${url}`).toBe(want.title);
  }
  expect(await page.locator("main").innerText()).not.toMatch(RAW_ISO);
}

describe("times in pages", () => {
  it("read in the reader's zone with UTC on hover on the block list, a block's page and its approval link page", async () => {
    const endDate = endAfter(w.local.clock.now(), 48);
    await w.approvalBlock("tz-asked", { endDate });
    // One whose window is not open yet: its "what CBM does next" sentence names when it looks again.
    await w.approvalBlock("tz-later", { endDate: endAfter(w.local.clock.now(), 20 * 24), policy: { lookaheadHours: 48 } });
    const link = await w.newestLink("tz-asked");

    await expectReaderTimes(`${w.local.apiUrl}/console/blocks`);
    await expectReaderTimes(`${w.local.apiUrl}/console/blocks/tz-asked`);
    await expectReaderTimes(`${w.local.apiUrl}/console/blocks/tz-later`);
    await expectReaderTimes(link);

    await page.goto(`${w.local.apiUrl}/console/blocks/tz-asked`);
    const end = (await times()).find((t) => t.datetime === endDate);
    expect(end?.text).toMatch(new RegExp(`^${endDate.slice(0, 10)} 17:00 ${ZONE_NAME}$`));
    expect(end?.title).toBe(`${endDate.slice(0, 10)} 11:30 UTC`);
  });

  it("read in the reader's zone with UTC on hover on the requests and spend pages", async () => {
    const latestStart = new Date(w.local.clock.now().getTime() + 5 * 86_400_000).toISOString();
    const opened = await w.http("POST", "/requests", {
      name: "tz-request",
      instanceType: "trn1.32xlarge",
      instanceCount: 1,
      durationDays: 1,
      latestStart,
      maxPricePerInstanceHour: "10",
      requireApproval: false,
    });
    expect(opened.status).toBe(201);
    for (let i = 0; i < 3; i++) {
      await w.local.tick();
      w.local.emulator!.control.advance({ minutes: 6 });
    }

    await expectReaderTimes(`${w.local.apiUrl}/console/requests`);
    await expectReaderTimes(`${w.local.apiUrl}/console/spend`);
  });
});
