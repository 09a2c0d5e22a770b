import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { identify, isRunning, type ProcessIdentity } from "./process-identity";

/** How often local mode looks for its launchers; a stop then takes this plus the stop itself, well within 10 s. */
export const LAUNCHER_POLL_MS = 500;

const HAS_PROC = existsSync("/proc/self/stat");

/**
 * Whether `p` still runs. With /proc the full check (same start time, not a zombie) is a file read; elsewhere it
 * would run `ps` twice a second, so there existence is enough (a PID reused within one poll is not worth that).
 */
function stillRunning(p: ProcessIdentity): boolean {
  if (HAS_PROC) return isRunning(p);
  try {
    process.kill(p.pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The parent of `pid`: /proc on Linux, `ps` elsewhere; undefined when the system does not tell (Windows). */
function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may contain spaces and parentheses; the fields after its last ")" are plain.
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    if (process.platform === "win32") return undefined;
    const ps = spawnSync("ps", ["-o", "ppid=", "-p", String(pid)], { encoding: "utf8" });
    const ppid = Number(ps.stdout?.trim());
    return ps.status === 0 && Number.isInteger(ppid) && ppid > 0 ? ppid : undefined;
  }
}

/**
 * The processes whose end means local mode should stop: its parent, and, when a package manager's script runner
 * started it (`npm start`, `pnpm start`), the runner too. The runner starts scripts through a shell (`sh -c …`), so
 * it is the parent's parent. A supervisor that signals npm reaches only that shell (npm forwards SIGTERM to it, and
 * not SIGHUP at all), and a shell that dies does not pass the signal on: without this, local mode would outlive
 * both, holding its port and DynamoDB Local. PID 1 is left out: it never ends, and an orphan's parent is PID 1.
 */
export function launchers(env: NodeJS.ProcessEnv = process.env): ProcessIdentity[] {
  const pids = [process.ppid];
  if (env.npm_lifecycle_event !== undefined) {
    const runner = parentOf(process.ppid);
    if (runner !== undefined) pids.push(runner);
  }
  return pids.filter((pid) => pid > 1).map(identify);
}

/**
 * Calls `onGone` once, as soon as one of `owners` has ended (or its PID names another process by now). Polling,
 * because Node has no parent-death signal; the timer is unref'd so it never keeps a stopped process alive.
 */
export function watchLaunchers(owners: ProcessIdentity[], onGone: (gone: ProcessIdentity) => void, pollMs = LAUNCHER_POLL_MS): () => void {
  const timer = setInterval(() => {
    const gone = owners.find((p) => !stillRunning(p));
    if (!gone) return;
    clearInterval(timer);
    onGone(gone);
  }, pollMs);
  timer.unref();
  return () => clearInterval(timer);
}
