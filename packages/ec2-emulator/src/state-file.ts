import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { StateFileError } from "./errors";

const reason = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** The saved world as parsed JSON, or undefined when nothing was saved yet. */
export function readStateFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new StateFileError(`Cannot read the emulator state ${path}: ${reason(e)}`, { cause: e });
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new StateFileError(`The emulator state ${path} is not valid JSON (${reason(e)}); move it away to start with an empty world`, {
      cause: e,
    });
  }
}

/**
 * Replaces the file so that a crash at any moment leaves either the old or the new content, never a torn mix: the
 * new content goes to a temporary file in the same folder, is flushed to disk, then renamed over the old one (an
 * atomic step), and the rename itself is flushed. Synchronous on purpose: a purchase must be on disk before the
 * emulator answers it.
 */
export function writeStateFile(path: string, text: string): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    mkdirSync(dirname(path), { recursive: true });
    const fd = openSync(tmp, "w", 0o600);
    try {
      writeFileSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
    syncFolder(dirname(path));
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new StateFileError(`Cannot write the emulator state ${path}: ${reason(e)}`, { cause: e });
  }
}

function syncFolder(dir: string): void {
  let fd: number;
  try {
    fd = openSync(dir, "r");
  } catch {
    return; // Windows cannot open a folder; its rename is durable without this.
  }
  try {
    fsyncSync(fd);
  } catch {
    // Some file systems refuse fsync on a folder; the rename still happened.
  } finally {
    closeSync(fd);
  }
}
