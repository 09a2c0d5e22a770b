import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { launchers, watchLaunchers } from "../src/launcher-watch";
import { identify } from "../src/process-identity";

const onPosix = process.platform !== "win32";

/** The parent of `pid`, from Linux's /proc. */
function parentOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
}

describe.skipIf(!onPosix)("watching the processes that started local mode", () => {
  it.skipIf(process.platform !== "linux")("names the parent, plus the runner above its shell under a package manager's script", () => {
    const alone = launchers({});
    const underNpm = launchers({ npm_lifecycle_event: "start" });

    expect(alone.map((p) => p.pid)).toEqual([process.ppid]);
    // PID 1 never ends (and adopts orphans), so it is never watched.
    expect(underNpm.map((p) => p.pid)).toEqual([process.ppid, parentOf(process.ppid)].filter((pid) => pid > 1));
  });

  it("calls back once, soon after a watched process ends, never while it runs", async () => {
    const child = spawn("sleep", ["30"], { stdio: "ignore" });
    const calls: number[] = [];
    const stop = watchLaunchers([identify(child.pid!)], (gone) => calls.push(gone.pid), 50);
    await new Promise((r) => setTimeout(r, 300));
    const whileRunning = calls.length;

    child.kill("SIGKILL");
    await new Promise((r) => child.once("exit", r));
    await new Promise((r) => setTimeout(r, 300));
    stop();

    expect(whileRunning).toBe(0);
    expect(calls).toEqual([child.pid]);
  });
});
