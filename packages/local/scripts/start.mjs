// `npm start`: installs the workspace, visibly, then runs local mode (src/bin.ts) in this same process.
//
// One process on purpose: the PID that `npm start` starts is the one a SIGTERM or SIGINT reaches, and the one that
// stops DynamoDB Local cleanly. The former `pnpm install && tsx src/bin.ts` put tsx and its child node between them.
// CBM_SKIP_INSTALL=1 skips the install (a workspace installed already, containers, tests).
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { installDependencies } from "./install-deps.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

if (process.env.CBM_SKIP_INSTALL === "1") {
  process.stdout.write("Not installing dependencies (CBM_SKIP_INSTALL=1).\n");
} else {
  const code = await installDependencies({ root });
  if (code !== 0) process.exit(code);
}
// Registers tsx's loader in this process, as `node --import tsx` does, so the TypeScript entry point runs here.
process.stdout.write("Loading CBM…\n");
await import("tsx");
await import(pathToFileURL(join(root, "packages", "local", "src", "bin.ts")).href);
