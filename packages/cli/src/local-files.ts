import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";

/** Where local mode (`npm start`) keeps its API key and URL, relative to the project root. */
export const LOCAL_DIR = join(".cbm", "local");
export const KEY_FILE = "api-key";
export const URL_FILE = "api-url";

/**
 * The nearest `.cbm/local` folder holding an API key, from `cwd` upwards; `CBM_LOCAL_DIR` overrides the search.
 * Local mode writes it at the workspace root, so `cbm` finds it from any folder of the clone.
 */
export function findLocalDir(cwd: string, env: Record<string, string | undefined>): string | undefined {
  if (env.CBM_LOCAL_DIR) return existsSync(join(env.CBM_LOCAL_DIR, KEY_FILE)) ? env.CBM_LOCAL_DIR : undefined;
  for (let dir = cwd; ; dir = dirname(dir)) {
    const candidate = join(dir, LOCAL_DIR);
    if (existsSync(join(candidate, KEY_FILE))) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

export function readLocalApi(dir: string): { apiUrl?: string; apiKey?: string } {
  const read = (f: string) => {
    try {
      return readFileSync(join(dir, f), "utf8").trim() || undefined;
    } catch {
      return undefined;
    }
  };
  const apiUrl = read(URL_FILE);
  const apiKey = read(KEY_FILE);
  return { ...(apiUrl ? { apiUrl } : {}), ...(apiKey ? { apiKey } : {}) };
}

/** The emulator local mode runs (`ec2.json`), when it runs one. */
export function readLocalEc2(dir: string): { endpoint: string; accountId: string } | undefined {
  try {
    const parsed = JSON.parse(readFileSync(join(dir, "ec2.json"), "utf8")) as { endpoint?: unknown; accountId?: unknown };
    return typeof parsed.endpoint === "string" && typeof parsed.accountId === "string"
      ? { endpoint: parsed.endpoint, accountId: parsed.accountId }
      : undefined;
  } catch {
    return undefined;
  }
}
