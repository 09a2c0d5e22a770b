// Installs the workspace before local mode can run. Plain JavaScript with Node's built-ins only: when `npm start` runs
// this for the first time, nothing else (TypeScript, tsx, pnpm itself) is installed yet.
import { spawn } from "node:child_process";
import { join } from "node:path";

/**
 * The install command `npm start` runs: the pinned pnpm (scripts/pnpm.mjs installs it on first use) with the
 * committed lockfile and pnpm's default reporter, which shows progress (a live line on a terminal, plain lines
 * otherwise), so a first start that downloads for a minute is not mistaken for a hang.
 */
export function installCommand(root) {
  return [process.execPath, [join(root, "scripts", "pnpm.mjs"), "install", "--frozen-lockfile"]];
}

/**
 * Runs the install with a line before it saying what is happening and a line after it saying how long it took.
 * Resolves with the exit code. A SIGINT or SIGTERM meanwhile is passed on to the whole install (pnpm.mjs and the pnpm
 * it starts), which runs in its own process group for that reason, then this process exits.
 */
export function installDependencies({ root, print = (s) => process.stdout.write(s), command = installCommand(root), now = Date.now }) {
  const started = now();
  print("Installing dependencies with pnpm (the first start downloads them, about a minute; later starts take seconds)…\n");
  return new Promise((resolve) => {
    const [file, args] = command;
    const posix = process.platform !== "win32";
    const child = spawn(file, args, { cwd: root, stdio: "inherit", detached: posix });
    const forward = (signal) => {
      try {
        if (posix) process.kill(-child.pid, signal);
        else child.kill(signal);
      } catch {
        // Already finished.
      }
    };
    process.on("SIGINT", forward);
    process.on("SIGTERM", forward);
    const done = (code) => {
      process.off("SIGINT", forward);
      process.off("SIGTERM", forward);
      if (code === 0) print(`Dependencies are installed (${((now() - started) / 1000).toFixed(1)} s).\n`);
      else print(`Installing dependencies failed (exit ${code}); pnpm's output above says why.\n`);
      resolve(code);
    };
    child.on("error", () => done(1));
    child.on("exit", (code, signal) => done(code ?? (signal ? 128 : 1)));
  });
}
