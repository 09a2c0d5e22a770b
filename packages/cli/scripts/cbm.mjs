#!/usr/bin/env node
// The `cbm` command in this repository: runs the built CLI, building it first when a source file is newer than the
// build (a stat of each source file, about a millisecond), so a fresh clone or an edit needs no separate step.
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const dist = join(root, "dist", "run", "cbm.mjs");

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

const sources = [join(root, "src"), join(root, "..", "core", "src")];
if (!existsSync(dist) || statSync(dist).mtimeMs < Math.max(...sources.map(newestSource))) {
  const { buildCli } = await import("./build.mjs");
  await buildCli({ quiet: true });
}
await import(dist);
