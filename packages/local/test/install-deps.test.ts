import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { installCommand, installDependencies } from "../scripts/install-deps.mjs";

const ROOT = join(import.meta.dirname, "..", "..", "..");
const dir = mkdtempSync(join(tmpdir(), "cbm-install-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("npm start's dependency install", () => {
  it("is what `npm start` runs first, with pnpm's progress reporter instead of a silent one", () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> };
    expect(pkg.scripts.start).toBe("node packages/local/scripts/start.mjs");
    const [file, args] = installCommand(ROOT);
    expect(file).toBe(process.execPath);
    expect(args).toEqual([join(ROOT, "scripts", "pnpm.mjs"), "install", "--frozen-lockfile"]);
    expect(args.some((a) => a.startsWith("--reporter"))).toBe(false);
  });

  it("says what it is doing before the install runs, how long it took after", async () => {
    const marker = join(dir, "ran");
    const lines: string[] = [];
    const clock = [1_000, 13_500];
    const code = await installDependencies({
      root: dir,
      print: (s) => lines.push(existsSync(marker) ? `after: ${s}` : `before: ${s}`),
      command: [process.execPath, ["-e", `require("node:fs").writeFileSync(${JSON.stringify(marker)}, "")`]],
      now: () => clock.shift()!,
    });
    expect(code).toBe(0);
    expect(lines).toEqual([
      expect.stringMatching(/^before: Installing dependencies with pnpm \(the first start downloads them, about a minute/),
      "after: Dependencies are installed (12.5 s).\n",
    ]);
  });

  it("reports a failed install with its exit code", async () => {
    const lines: string[] = [];
    const code = await installDependencies({
      root: dir,
      print: (s) => lines.push(s),
      command: [process.execPath, ["-e", "process.exit(3)"]],
    });
    expect(code).toBe(3);
    expect(lines.at(-1)).toBe("Installing dependencies failed (exit 3); pnpm's output above says why.\n");
  });
});
