import { linkSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DataDirLockedError } from "./errors";
import { identify, isRunning, readIdentity, type ProcessIdentity } from "./process-identity";

export const LOCK_FILE = "cbm-local.lock";

export interface DataDirLock {
  /** The dead process whose lock this start took over, if any. */
  readonly tookOverFrom?: ProcessIdentity;
  /** Removes the lock if it is still ours. */
  release(): void;
}

/**
 * Makes this process the only local mode using `dir`. The lock is a file naming our PID (and start time), created
 * whole or not at all: written under a private name, then hard-linked into place, which fails if a lock exists. A
 * lock whose process is gone (a crash, a SIGKILL) is stale and taken over.
 *
 * Not covered: two starts that find the same stale lock within the same few milliseconds may both take it over.
 */
export function lockDataDir(dir: string): DataDirLock {
  mkdirSync(dir, { recursive: true });
  const lockPath = join(dir, LOCK_FILE);
  const me = { ...identify(process.pid), startedAt: new Date().toISOString() };
  const mine = join(dir, `.${LOCK_FILE}.${process.pid}`);
  writeFileSync(mine, JSON.stringify(me) + "\n", { mode: 0o600 });
  let tookOverFrom: ProcessIdentity | undefined;
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        linkSync(mine, lockPath);
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "EEXIST" || attempt >= 3) throw e;
      }
      const holder = readIdentity(lockPath);
      if (holder && holder.pid !== process.pid && isRunning(holder)) {
        throw new DataDirLockedError(dir, holder.pid, typeof holder.startedAt === "string" ? holder.startedAt : undefined);
      }
      // Stale (its process is gone), or unreadable: a lock is written whole, so an unreadable one is damage.
      if (holder) tookOverFrom = { pid: holder.pid, ...(holder.startTime ? { startTime: holder.startTime } : {}) };
      rmSync(lockPath, { force: true });
    }
  } finally {
    rmSync(mine, { force: true });
  }
  return {
    ...(tookOverFrom ? { tookOverFrom } : {}),
    release() {
      const holder = readIdentity(lockPath);
      if (holder?.pid === me.pid && holder.startTime === me.startTime) rmSync(lockPath, { force: true });
    },
  };
}
