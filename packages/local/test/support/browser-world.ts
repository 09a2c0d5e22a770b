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
