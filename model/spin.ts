/**
 * Runs spin on a model of model/: generates the verifier (pan.c), compiles it, searches the whole state space and,
 * when an assertion fails, replays the trail into the readable steps the model prints (`STEP …` lines).
 */
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const MODEL_DIR = new URL(".", import.meta.url).pathname;

export interface SpinRun {
  /** Whether the search covered every reachable state (no depth limit, no memory limit, no approximation). */
  complete: boolean;
  errors: number;
  states: number;
  depth: number;
  memoryMb: number;
  seconds: number;
  /** The assertion spin reports violated, e.g. `assert(commits[...] <= 1)`, when errors > 0. */
  violated?: string;
  /** The counterexample as the model's own words, one step a line, when errors > 0. */
  steps: string[];
  /** pan's report, for a failing test's message. */
  output: string;
}

export interface SpinOptions {
  /** The model's main file in model/, e.g. protocol.pml. */
  file: string;
  /** Preprocessor flags, e.g. ["BUG_SHORT_SETTLE"] or ["FAULTS=1"]. */
  defines?: string[];
  /** Breadth-first: the shortest counterexample, for variants expected to fail. */
  shortest?: boolean;
  /** Memory cap for pan in MB; the search fails (incomplete) instead of swapping the shared machine. */
  memLimitMb?: number;
  /** Decision tables to check instead of generated/tables.pml (the tie test's drifted core). */
  tables?: string;
}

export function spinAvailable(): boolean {
  return spawnSync("spin", ["-V"], { encoding: "utf8" }).status === 0;
}

export function runSpin(opts: SpinOptions): SpinRun {
  // spin writes pan.* and trails into the working directory: each run gets its own copy of the model.
  const dir = mkdtempSync(join(tmpdir(), "cbm-model-"));
  try {
    cpSync(MODEL_DIR, dir, { recursive: true, filter: (src) => !src.includes(`${join(MODEL_DIR, "test")}`) });
    if (opts.tables !== undefined) writeFileSync(join(dir, "generated", "tables.pml"), opts.tables);
    const defines = (opts.defines ?? []).map((d) => `-D${d}`);
    execFileSync("spin", ["-a", ...defines, opts.file], { cwd: dir, encoding: "utf8" });
    const cflags = [
      "-O2",
      "-w",
      "-DSAFETY", // safety properties only: assertions and invalid end states
      "-DCOLLAPSE", // lossless state compression: exact, about a third of the memory
      `-DMEMLIM=${opts.memLimitMb ?? 2048}`,
      ...(opts.shortest ? ["-DBFS"] : []),
    ];
    execFileSync("gcc", [...cflags, "-o", "pan", "pan.c"], { cwd: dir, encoding: "utf8" });
    // -m: a depth bound far above the model's (it reports "max search depth too small" otherwise); -w: hash table 2^24.
    const pan = spawnSync("./pan", ["-m2000000", "-w24"], { cwd: dir, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    const output = `${pan.stdout}${pan.stderr}`;
    const run = parsePan(output);
    if (run.errors > 0 && existsSync(join(dir, `${opts.file}.trail`))) {
      const replay = spawnSync("spin", ["-t", ...defines, opts.file], { cwd: dir, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
      run.steps = replay.stdout
        .split("\n")
        .map((l) => l.trim())
        .filter((l) => l.startsWith("STEP "))
        .map((l) => l.slice("STEP ".length));
    }
    return run;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Reads pan's report. Any sign of a partial search makes `complete` false; a test then fails rather than trusting it. */
export function parsePan(output: string): SpinRun {
  const num = (re: RegExp) => Number(re.exec(output)?.[1] ?? Number.NaN);
  const errors = num(/errors: (\d+)/);
  const truncated =
    /Search not completed/.test(output) ||
    /max search depth too small/.test(output) ||
    /reached -DMEMLIM bound/.test(output) ||
    /out of memory/i.test(output) ||
    /BITSTATE|hash-compaction/i.test(output);
  return {
    // With an error the search stops at the first counterexample by design; completeness matters for passing runs.
    complete: !truncated || errors > 0,
    errors,
    states: num(/([\d.e+]+) states, stored/),
    depth: num(/depth reached (\d+)/),
    memoryMb: num(/([\d.]+)\s+total actual memory usage/),
    seconds: num(/elapsed time ([\d.e+]+) seconds/),
    ...(errors > 0 ? { violated: /assertion violated (.*?) \(at depth/.exec(output)?.[1] ?? /pan:1: (.*)/.exec(output)?.[1] } : {}),
    steps: [],
    output,
  };
}

/** One line for the test log: what was searched and what it cost. */
export function describeRun(name: string, r: SpinRun): string {
  return `${name}: ${r.states} states, depth ${r.depth}, ${r.memoryMb} MB, ${r.seconds} s, ${r.errors} error(s)${r.complete ? "" : ", INCOMPLETE"}`;
}
