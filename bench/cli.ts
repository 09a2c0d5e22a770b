import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startLocal } from "@cbm/local";
import { fmt, median, printTable } from "./table";

/**
 * How long `cbm` takes as a whole process, as a person runs it: `--help`, and an API command (`list`) against local
 * mode. Each row is a median of `runs` fresh processes, beside `node -e 0` in the same run (what Node itself costs on
 * this machine now) and the former way of running the CLI (tsx on the TypeScript sources) as the baseline.
 */
const root = join(import.meta.dirname, "..");
const built = ["packages/cli/scripts/cbm.mjs"];
const viaTsx = ["--import", "tsx", "packages/cli/src/bin.ts"];

const run = promisify(execFile);

/** Wall time of one process; async, so local mode's API in this process keeps answering meanwhile. */
async function time(args: string[], env: Record<string, string> = {}): Promise<number> {
  const t = performance.now();
  await run(process.execPath, args, { cwd: root, env: { ...process.env, ...env } });
  return performance.now() - t;
}

export async function benchCli(runs = 10) {
  await time(["packages/cli/scripts/build.mjs"]);
  const dir = mkdtempSync(join(tmpdir(), "cbm-bench-cli-"));
  const local = await startLocal({ port: 0, clockRate: 0, tickSeconds: 0, stateDir: join(dir, "state"), print: () => undefined });
  const api = { CBM_API_URL: local.apiUrl, CBM_API_KEY: local.apiKey };
  try {
    const cases: Array<{ what: string; args: string[]; env?: Record<string, string>; target?: number }> = [
      { what: "node -e 0 (Node alone)", args: ["-e", "0"] },
      { what: "cbm --help", args: [...built, "--help"], target: 300 },
      { what: "cbm list (local mode API)", args: [...built, "list"], env: api, target: 600 },
      { what: "baseline: tsx cbm --help", args: [...viaTsx, "--help"] },
      { what: "baseline: tsx cbm list", args: [...viaTsx, "list"], env: api },
    ];
    const rows = [];
    for (const c of cases) {
      await time(c.args, c.env); // warm the file cache
      const times: number[] = [];
      for (let i = 0; i < runs; i++) times.push(await time(c.args, c.env));
      const ms = median(times);
      rows.push({ command: c.what, "median ms": fmt(ms, 0), target: c.target ? `< ${c.target} ${ms < c.target ? "✓" : "✗"}` : "" });
    }
    printTable(`cbm as a process, median of ${runs}`, rows);
  } finally {
    await local.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
