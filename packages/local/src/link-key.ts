import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { generateApiKey } from "./state-dir";

/** The approval-link signing key's file in the state folder; never the API key, and never printed. */
export const LINK_KEY_FILE = "link-key";

/**
 * Reads `<dir>/link-key`, or generates one readable by the user only (0600), as AWS keeps it in Secrets Manager.
 * Reusing it across restarts keeps links in earlier notices and open console sessions valid.
 */
export function ensureLinkKey(dir: string): { path: string; created: boolean } {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, LINK_KEY_FILE);
  if (existsSync(path) && readFileSync(path, "utf8").trim().length >= 32) return { path, created: false };
  writeFileSync(path, generateApiKey() + generateApiKey() + "\n", { mode: 0o600 });
  if (process.platform !== "win32") chmodSync(path, 0o600);
  return { path, created: true };
}
