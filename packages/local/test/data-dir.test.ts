import { spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { lockDataDir, LOCK_FILE } from "../src/data-dir-lock";
import { DataDirLockedError } from "../src/errors";
import { recordJava, stopLeftoverJava } from "../src/leftover-java";
import { identify } from "../src/process-identity";

const root = mkdtempSync(join(tmpdir(), "cbm-datadir-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const newDir = () => join(root, `d${++n}`);

/** A PID that certainly names no process any more. */
function deadPid(): number {
  return spawnSync(process.execPath, ["-e", ""]).pid!;
}

const writeLock = (dir: string, holder: object) => {
  lockDataDir(dir).release(); // creates the folder
  writeFileSync(join(dir, LOCK_FILE), JSON.stringify(holder));
};

describe("the --data-dir lock", () => {
  it("refuses while the process holding it runs, naming its PID", () => {
    const dir = newDir();
    writeLock(dir, { ...identify(process.ppid), startedAt: "2026-01-01T00:00:00.000Z" });
    expect(() => lockDataDir(dir)).toThrow(DataDirLockedError);
    expect(() => lockDataDir(dir)).toThrow(`PID ${process.ppid} (started 2026-01-01T00:00:00.000Z)`);
  });

  it("takes over a lock whose process is gone, saying from whom", () => {
    const dir = newDir();
    const pid = deadPid();
    writeLock(dir, { pid });
    const lock = lockDataDir(dir);
    expect(lock.tookOverFrom?.pid).toBe(pid);
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), "utf8"))).toMatchObject({ pid: process.pid });
    lock.release();
  });

  it.skipIf(process.platform !== "linux")("takes over a lock whose PID now names another process (another start time)", () => {
    const dir = newDir();
    writeLock(dir, { pid: process.ppid, startTime: "1" });
    const lock = lockDataDir(dir);
    expect(lock.tookOverFrom?.pid).toBe(process.ppid);
    lock.release();
  });

  it("release removes the lock only while it is still ours", () => {
    const dir = newDir();
    const lock = lockDataDir(dir);
    const theirs = JSON.stringify({ ...identify(process.ppid) });
    writeFileSync(join(dir, LOCK_FILE), theirs);
    lock.release();
    expect(readFileSync(join(dir, LOCK_FILE), "utf8")).toBe(theirs);
    rmSync(join(dir, LOCK_FILE));
    const again = lockDataDir(dir);
    again.release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
  });
});

describe("a DynamoDB Local left over from an earlier run", () => {
  it("is stopped when it is still the process that was recorded", async () => {
    const pidFile = join(root, `java-${++n}.pid`);
    const leftover = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
    await once(leftover, "spawn");
    recordJava(pidFile, leftover.pid!);
    const exited = once(leftover, "exit");
    expect(await stopLeftoverJava(pidFile)).toBe(leftover.pid);
    await exited;
    expect(existsSync(pidFile)).toBe(false);
  });

  it("is left alone when the recorded PID now names another process", async () => {
    const pidFile = join(root, `java-${++n}.pid`);
    const unrelated = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
    await once(unrelated, "spawn");
    writeFileSync(pidFile, JSON.stringify({ pid: unrelated.pid, startTime: "1" }));
    expect(await stopLeftoverJava(pidFile)).toBeUndefined();
    expect(unrelated.exitCode).toBeNull();
    expect(unrelated.signalCode).toBeNull();
    const exited = once(unrelated, "exit");
    unrelated.kill();
    await exited;
  });
});
