import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext } from "playwright-core";

/** Debian's chromium package, or CHROMIUM_PATH. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/**
 * Flags that keep a headless Chromium from reaching hosts it cannot reach here (updates, sync, field trials), and
 * run it as root in a container. Each launch gets a fresh profile (--user-data-dir via launchPersistentContext).
 */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export interface Chromium {
  context: BrowserContext;
  close(): Promise<void>;
}

/**
 * Launches headless Chromium at 1280×800; without it the browser tests fail with the install hint, never skip.
 * `extraArgs` adds flags, e.g. `--host-resolver-rules` to give another name to 127.0.0.1 as DNS rebinding does.
 * `reader` sets the time zone and locale the pages are read in.
 */
export async function launchChromium(
  extraArgs: string[] = [],
  /** The reader's time zone and language (playwright's `timezoneId`, `locale`); default the machine's. */
  reader: { timezoneId?: string; locale?: string } = {},
): Promise<Chromium> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium is needed for the browser tests but ${CHROMIUM_PATH} does not exist. Install Debian's package as root ` +
        `(apt-get update && apt-get install -y chromium; .ci/run does this), or point CHROMIUM_PATH at a Chromium binary.`,
    );
  }
  const profile = mkdtempSync(join(tmpdir(), "cbm-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [...CHROMIUM_ARGS, ...extraArgs],
    viewport: { width: 1280, height: 800 },
    timeout: 60_000,
    ...reader,
  });
  return {
    context,
    async close() {
      await context.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
