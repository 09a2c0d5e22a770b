import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";

const HAS_PROC = existsSync("/proc/self/stat");

/**
 * A process as recorded in a file for a later run to find: its PID, plus its start time when the system tells it,
 * because PIDs are reused and a PID alone could name an unrelated process by the time the file is read.
 */
export interface ProcessIdentity {
  pid: number;
  startTime?: string;
}

/** Fields 3… of /proc/<pid>/stat (Linux), or undefined. */
function procStat(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may contain spaces and parentheses; the fields after its last ")" are plain.
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  } catch {
    return undefined;
  }
}

/** The start time of `pid`: field 22 of /proc/<pid>/stat on Linux, `ps -o lstart=` elsewhere; undefined if unknown. */
export function startTimeOf(pid: number): string | undefined {
  if (HAS_PROC) return procStat(pid)?.[19];
  if (process.platform === "win32") return undefined;
  const ps = spawnSync("ps", ["-o", "lstart=", "-p", String(pid)], { encoding: "utf8" });
  return ps.status === 0 && ps.stdout.trim() ? ps.stdout.trim() : undefined;
}

export function identify(pid: number): ProcessIdentity {
  const startTime = startTimeOf(pid);
  return startTime === undefined ? { pid } : { pid, startTime };
}

/** True while the recorded process exists, and it is the same process (same start time) when that was recorded. */
export function isRunning(p: ProcessIdentity): boolean {
  try {
    process.kill(p.pid, 0);
  } catch (e) {
    // EPERM: it exists but belongs to someone else.
    if ((e as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  // A zombie has ended; only its parent has not collected it yet (an orphan's new parent may never do so).
  if (procStat(p.pid)?.[0] === "Z") return false;
  if (p.startTime === undefined) return true;
  const now = startTimeOf(p.pid);
  return now === undefined || now === p.startTime;
}

/** Reads a ProcessIdentity written as JSON; undefined when the file is absent or not one. */
export function readIdentity(path: string): (ProcessIdentity & Record<string, unknown>) | undefined {
  try {
    const parsed = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
    return Number.isInteger(parsed.pid) && (parsed.pid as number) > 0 ? (parsed as ProcessIdentity & Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
