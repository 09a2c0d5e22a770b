import { rmSync, writeFileSync } from "node:fs";
import { identify, isRunning, readIdentity } from "./process-identity";

/** Where local mode records the PID of the DynamoDB Local it runs on a --data-dir. */
export const JAVA_PID_FILE = "dynamodb-local.pid";

export function recordJava(pidFile: string, pid: number): void {
  writeFileSync(pidFile, JSON.stringify(identify(pid)) + "\n", { mode: 0o600 });
}

export function forgetJava(pidFile: string): void {
  rmSync(pidFile, { force: true });
}

/**
 * Stops a DynamoDB Local that an earlier run on the same data folder left behind (that run was killed before it
 * could stop it, and java did not notice), so it cannot keep the port and write to the same database files. Only
 * the process recorded in `pidFile`, and only if it is still the same process (same start time).
 *
 * It is not our child, so no exit event exists to await: its end is polled, within a bound, then forced.
 */
export async function stopLeftoverJava(pidFile: string, graceMs = 10_000): Promise<number | undefined> {
  const java = readIdentity(pidFile);
  forgetJava(pidFile);
  if (!java || !isRunning(java)) return undefined;
  const signal = (s: NodeJS.Signals) => {
    try {
      process.kill(java.pid, s);
    } catch {
      // Already gone.
    }
  };
  signal("SIGTERM");
  signal("SIGCONT"); // a stopped process handles SIGTERM only once it runs again
  const deadline = Date.now() + graceMs;
  while (isRunning(java)) {
    if (Date.now() > deadline) {
      signal("SIGKILL");
      break;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return java.pid;
}
