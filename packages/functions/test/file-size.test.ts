import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

/*
 * Issue 24's house rule: no source or test file over 350 lines, so a file keeps one job a reader can hold. Checked
 * here, not by review, so that the rule cannot drift silently.
 */

const ROOT = join(import.meta.dirname, "../../..");
const MAX_LINES = 350;

/** The files git tracks (so no build output) that hold code: sources, tests, scripts, stacks, models, benches. */
const sources = () =>
  execFileSync("git", ["ls-files", "-z", "--", "*.ts", "*.mjs", "*.js"], { cwd: ROOT, encoding: "utf8" })
    .split("\0")
    .filter((f) => f !== "");

describe("file size", () => {
  it(`keeps every source and test file at ${MAX_LINES} lines or fewer`, () => {
    const files = sources();
    const long = files
      .map((file) => ({ file, lines: readFileSync(join(ROOT, file), "utf8").split("\n").length - 1 }))
      .filter((f) => f.lines > MAX_LINES);

    expect(files.length).toBeGreaterThan(500);
    expect(long).toEqual([]);
  });
});
