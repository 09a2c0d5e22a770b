import type { World } from "./context";
import type { EmulatorControl } from "./control";
import { restoreSnapshot, takeSnapshot } from "./snapshot";
import { readStateFile, writeStateFile } from "./state-file";

export interface Persistence {
  readonly file: string;
  /** Loads the saved world into `world`; false when there is none yet. */
  restore(): boolean;
  /** Writes the world if it changed since the last write. */
  save(): void;
}

/**
 * Keeps the world in one JSON file. Saving compares the new snapshot with the last one written, so callers may save
 * after anything that might have changed the world (every EC2 request, every control call) without rewriting the
 * file for reads.
 */
export function createPersistence(file: string, world: World, accessKeys: Map<string, string>): Persistence {
  let written: string | undefined;
  return {
    file,
    restore() {
      const saved = readStateFile(file);
      if (saved === undefined) return false;
      restoreSnapshot(world, accessKeys, saved);
      return true;
    },
    save() {
      const text = JSON.stringify(takeSnapshot(world, accessKeys));
      if (text === written) return;
      writeStateFile(file, text);
      written = text;
    },
  };
}

/**
 * The control calls that change the world. Reads are left out: local mode asks `now()` for every timestamp it
 * writes, far too often to serialize the world each time. Faults and the call log are not saved (see snapshot.ts).
 */
const CHANGES = [
  "setClock",
  "setRate",
  "advance",
  "useRealTime",
  "seedBlock",
  "seedDemo",
  "shareBlock",
  "mapAccessKey",
  "setCapacity",
  "setPrice",
  "configure",
  "setErrorCode",
  "reset",
] as const satisfies readonly (keyof EmulatorControl)[];

/** The same control, saving the world after every call that may have changed it (also when the call failed midway). */
export function savingControl(control: EmulatorControl, save: () => void): EmulatorControl {
  const wrapped: Record<string, unknown> = { ...control };
  for (const name of CHANGES) {
    const call = control[name] as (...args: unknown[]) => unknown;
    wrapped[name] = (...args: unknown[]) => {
      try {
        return call(...args);
      } finally {
        save();
      }
    };
  }
  return wrapped as unknown as EmulatorControl;
}
