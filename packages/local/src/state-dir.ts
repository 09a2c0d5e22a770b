import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

/** File names shared with the CLI (packages/cli/src/local-files.ts), which reads them to find this API. */
export const KEY_FILE = "api-key";
export const URL_FILE = "api-url";

/**
 * The project root: the nearest folder upwards holding pnpm-workspace.yaml (or .git). `npm start` runs this
 * package with packages/local as cwd, but the key belongs at the root where the CLI and the user look for it.
 */
export function findProjectRoot(from: string): string {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    if (existsSync(join(dir, "pnpm-workspace.yaml")) || existsSync(join(dir, ".git"))) return dir;
    if (dirname(dir) === dir) return resolve(from);
  }
}

/** `<root>/.cbm/local` (gitignored), or $CBM_LOCAL_DIR. INIT_CWD is where the user typed `npm start`. */
export function defaultStateDir(env: Record<string, string | undefined> = process.env, cwd = process.cwd()): string {
  if (env.CBM_LOCAL_DIR) return resolve(env.CBM_LOCAL_DIR);
  return join(findProjectRoot(env.INIT_CWD ?? cwd), ".cbm", "local");
}

const KEY_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/**
 * 40 letters and digits (about 238 bits). Never base64url: a key that starts with `-` reads as a flag, so
 * `cbm --api-key <key>` (and any command line that passes it) would fail for one key in 64; nor `_`, which some
 * shells and URLs treat specially. Each character comes from a byte below 248 (a multiple of 62), so none is more likely.
 */
export function generateApiKey(length = 40): string {
  let out = "";
  while (out.length < length) {
    for (const byte of randomBytes(length)) {
      if (byte < 248 && out.length < length) out += KEY_ALPHABET[byte % 62];
    }
  }
  return out;
}

export interface ApiKeyFile {
  key: string;
  path: string;
  /** True when this start generated it. */
  created: boolean;
  /** Set when an existing file was readable by others and was tightened to 0600. */
  fixedMode?: boolean;
}

/**
 * Reads the API key from `<dir>/api-key`, or generates one and writes it readable by the user only (0600, in a 0700
 * folder). An existing key is reused so scripts and exported variables keep working across restarts.
 */
export function ensureApiKey(dir: string): ApiKeyFile {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, KEY_FILE);
  if (existsSync(path)) {
    const key = readFileSync(path, "utf8").trim();
    if (key.length >= 20) {
      let fixedMode = false;
      if (process.platform !== "win32" && (statSync(path).mode & 0o077) !== 0) {
        chmodSync(path, 0o600);
        fixedMode = true;
      }
      return { key, path, created: false, ...(fixedMode ? { fixedMode } : {}) };
    }
  }
  const key = generateApiKey();
  writeFileSync(path, key + "\n", { mode: 0o600 });
  // mode applies only when the file is created; an existing short/empty file keeps its mode otherwise.
  if (process.platform !== "win32") chmodSync(path, 0o600);
  return { key, path, created: true };
}

/** Where `cbm import` finds the emulator of local mode, so users need not copy the endpoint from the banner. */
export const EC2_FILE = "ec2.json";

export function writeLocalEc2(dir: string, ec2: { endpoint: string; accountId: string }): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(join(dir, EC2_FILE), JSON.stringify(ec2) + "\n", { mode: 0o600 });
}

export function writeApiUrl(dir: string, url: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(join(dir, URL_FILE), url + "\n", { mode: 0o600 });
}

/** Removes the URL file if it still names `url` (another local instance may have taken over). */
export function removeApiUrl(dir: string, url: string): void {
  const path = join(dir, URL_FILE);
  try {
    if (readFileSync(path, "utf8").trim() === url) rmSync(path);
  } catch {
    // Already gone.
  }
}
