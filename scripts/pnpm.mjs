#!/usr/bin/env node
// Runs the pinned pnpm without assuming anything installed globally: corepack fails signature checks on this
// toolchain and `npm i -g pnpm` gives pnpm 12, so we install the exact version into a project-local folder once.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const PNPM_VERSION = "10.34.9";
const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const toolDir = join(root, ".tools", `pnpm-${PNPM_VERSION}`);
const bin = join(toolDir, "node_modules", "pnpm", "bin", "pnpm.cjs");

if (!existsSync(bin)) {
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const r = spawnSync(
    npm,
    [
      "install",
      "--no-save",
      "--no-package-lock",
      "--no-audit",
      "--no-fund",
      "--loglevel=error",
      "--prefix",
      toolDir,
      `pnpm@${PNPM_VERSION}`,
    ],
    { stdio: "inherit" },
  );
  if (r.status !== 0) process.exit(r.status ?? 1);
}
const r = spawnSync(process.execPath, [bin, ...process.argv.slice(2)], { stdio: "inherit", cwd: process.cwd() });
process.exit(r.status ?? 1);
