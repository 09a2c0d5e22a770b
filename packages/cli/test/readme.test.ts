import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { EXIT } from "../src/errors";
import { COMMANDS } from "../src/main";
import { POLICY_OPTIONS } from "../src/policy-flags";

/* packages/cli/README.md lists the commands, the policy flags and the exit codes the code defines: they must agree. */

const README = readFileSync(join(import.meta.dirname, "..", "README.md"), "utf8");

/** The first cells of the body rows of the first table after `marker`, backticks removed. */
function firstCells(marker: string): string[] {
  const rest = README.slice(README.indexOf(marker));
  const rows: string[] = [];
  for (const line of rest.split("\n").slice(1)) {
    if (line.startsWith("|"))
      rows.push(
        line
          .split(/(?<!\\)\|/)[1]!
          .trim()
          .replace(/`/g, "")
          .replace(/\\\|/g, "|"),
      );
    else if (rows.length) break;
  }
  return rows.slice(2);
}

describe("packages/cli/README.md", () => {
  it("lists every command with the usage its help prints, and no other", () => {
    expect(firstCells("## Commands")).toEqual(COMMANDS.map((c) => c.usage));
  });

  it("lists every policy flag", () => {
    const listed = firstCells("Policy flags (").join(" ");

    expect(Object.keys(POLICY_OPTIONS).filter((flag) => !listed.includes(`--${flag}`))).toEqual([]);
  });

  it("lists the exit codes the CLI uses", () => {
    expect(firstCells("## Output and exit codes").map(Number)).toEqual(Object.values(EXIT).sort());
  });
});
