import { join, resolve } from "node:path";
import { startEmulator, type EmulatorHandle } from "@cbm/ec2-emulator";
import { lockDataDir, type DataDirLock } from "./data-dir-lock";
import { LOCAL_ACCOUNT_ID } from "./demo";
import { startDynamoLocal, type DynamoLocal } from "./dynamo-local";
import { JAVA_PID_FILE, stopLeftoverJava } from "./leftover-java";

/** The emulator's world inside --data-dir, next to DynamoDB Local's database file. */
export const EMULATOR_STATE_FILE = "ec2-emulator.json";

export interface LocalWorldOptions {
  /** Keep everything here (CBM's records and the emulator's world); memory otherwise. */
  dataDir?: string;
  clockRate: number;
  clockStart?: string;
  seed: boolean;
  paymentDelaySeconds?: number;
  progress: (line: string) => void;
}

/** What local mode runs in place of AWS: DynamoDB Local and the EC2 emulator. */
export interface LocalWorld {
  dynamo: DynamoLocal;
  emulator: EmulatorHandle;
  /** Stops the emulator, then DynamoDB Local, then gives the data folder free. */
  stop(): Promise<void>;
}

/**
 * Starts DynamoDB Local and the EC2 emulator, both on 127.0.0.1. With a data folder, this process first becomes its
 * only user (a lock), stops a DynamoDB Local that a killed earlier run left behind, and both keep their state there,
 * so a restart continues the same world: a purchase the emulator took before a crash is still there to be settled.
 */
export async function startLocalWorld(opts: LocalWorldOptions): Promise<LocalWorld> {
  const dataDir = opts.dataDir === undefined ? undefined : resolve(opts.dataDir);
  const lock: DataDirLock | undefined = dataDir === undefined ? undefined : lockDataDir(dataDir);
  let dynamo: DynamoLocal | undefined;
  let emulator: EmulatorHandle | undefined;
  const stop = async () => {
    await emulator?.stop().catch(() => undefined);
    await dynamo?.stop().catch(() => undefined);
    lock?.release();
  };
  try {
    if (lock?.tookOverFrom) opts.progress(`Took over ${dataDir} from PID ${lock.tookOverFrom.pid}, which ended without giving it free.`);
    if (dataDir !== undefined) {
      const leftover = await stopLeftoverJava(join(dataDir, JAVA_PID_FILE));
      if (leftover) opts.progress(`Stopped a DynamoDB Local left over from an earlier run (PID ${leftover}).`);
    }
    dynamo = await startDynamoLocal({
      detached: true,
      onProgress: opts.progress,
      ...(dataDir === undefined ? {} : { dbPath: dataDir, pidFile: join(dataDir, JAVA_PID_FILE) }),
    });
    const stateFile = dataDir === undefined ? undefined : join(dataDir, EMULATOR_STATE_FILE);
    emulator = await startEmulator({
      port: 0,
      clock: { start: opts.clockStart ?? new Date().toISOString(), rate: opts.clockRate },
      seed: opts.seed ? "demo" : "none",
      defaultAccountId: LOCAL_ACCOUNT_ID,
      ...(opts.paymentDelaySeconds !== undefined ? { paymentDelaySeconds: opts.paymentDelaySeconds } : {}),
      ...(stateFile ? { stateFile } : {}),
    });
    if (emulator.restored) {
      // The saved clock continues; only its speed follows this start's --clock-rate.
      if (emulator.control.clock().rate !== opts.clockRate) emulator.control.setRate(opts.clockRate);
      opts.progress(`EC2 emulator restored from ${stateFile} (virtual time ${emulator.control.now().toISOString()}), at ${emulator.url}.`);
    } else {
      opts.progress(`EC2 emulator ready at ${emulator.url}${opts.seed ? " with 6 demo blocks" : ""}.`);
    }
    return { dynamo, emulator, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
