import type { Page } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
import { launchChromium, type Chromium } from "./chromium";
import { startWebWorld, type WebWorld } from "./web-world";

export interface BrowserWorld {
  w: WebWorld;
  browser: Chromium;
}

/** Local mode and headless Chromium for one test file: started before its tests, stopped after them. */
export function useBrowserWorld(clockStart: string): BrowserWorld {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
  const s = {} as BrowserWorld;
  beforeAll(async () => {
    [s.w, s.browser] = await Promise.all([startWebWorld(clockStart), launchChromium()]);
  });
  afterAll(async () => {
    await s.browser?.close();
    await s.w?.stop();
  });
  return s;
}

export interface ConsoleWorld extends BrowserWorld {
  page: Page;
}

/**
 * Local mode, headless Chromium and one page for one test file, the page signed in to the console as `signInAs`
 * when given. `started` receives them once they are up, so the file can keep them in its own bindings.
 */
export function useConsole(clockStart: string, started: (world: ConsoleWorld) => void, opts: { signInAs?: string } = {}): void {
  const s = useBrowserWorld(clockStart);
  beforeAll(async () => {
    const page = await s.browser.context.newPage();
    if (opts.signInAs !== undefined) await signIn(page, s.w, opts.signInAs);
    started({ ...s, page });
  });
}

/** Signs in to the console afresh as `name` (any earlier session's cookie dropped first), at `base` if given. */
export async function signIn(page: Page, w: WebWorld, name: string, base = w.local.apiUrl): Promise<void> {
  await page.context().clearCookies();
  await page.goto(`${base}/console`);
  await page.getByLabel("API key").fill(w.local.apiKey);
  await page.getByLabel(/Your name/).fill(name);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(/\/console\/blocks$/);
}

/** The form's hidden CSRF token, read from the confirmation page as a browser would see it. */
export async function csrfOf(link: string): Promise<string> {
  const page = await (await fetch(link)).text();
  return /name="csrf" value="([^"]+)"/.exec(page)![1]!;
}

/** Posts a link's form as a browser would, from `origin` (the link's own unless a test forges another). */
export function postForm(link: string, fields: Record<string, string>, origin = new URL(link).origin) {
  return fetch(link, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", origin },
    body: new URLSearchParams(fields).toString(),
    redirect: "manual",
  });
}
