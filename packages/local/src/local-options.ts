import { type BlockStore, type Clock } from "@cbm/core";
import type { EmulatorHandle } from "@cbm/ec2-emulator";
import { type OutboxNotifier, type TickReport, type LogLevel, type SafetyManifest } from "@cbm/functions";
import { type DynamoLocal } from "./dynamo-local";

// What startLocal takes and what it hands back.

export interface AwsModeOptions {
  /** Regions CBM works in; the first is the home of the table and the topic. */
  regions: string[];
  table: string;
  topicArn?: string;
  /** The account that owns the blocks (only the owner can extend). */
  accountId: string;
}

export interface StartLocalOptions {
  /** API port on 127.0.0.1; 0 picks a free one. Default 3000. */
  port?: number;
  /** Virtual seconds between scheduler ticks; 0 disables the loop (tests call tick()). Default 60. */
  tickSeconds?: number;
  /** The emulator's clock runs this many times faster than the wall clock; 0 freezes it (tests). Default 1. */
  clockRate?: number;
  /** Where the virtual clock starts; default now. */
  clockStart?: string;
  /**
   * Keep everything in this folder instead of memory: DynamoDB Local's data (CBM's records) and the emulator's world
   * (blocks, extensions, ledger, clock). One local mode at a time may use a folder.
   */
  dataDir?: string;
  /** Seed the emulator's demo blocks and register them in CBM. Default true. */
  seed?: boolean;
  /** With `seed`, also register the demo blocks in CBM; false leaves them for `cbm import`. Default true. */
  register?: boolean;
  /** Where the API key and URL are kept; default <project root>/.cbm/local. */
  stateDir?: string;
  /** Run against real AWS (default credential chain) instead of DynamoDB Local and the emulator. */
  aws?: AwsModeOptions;
  /** Payment clearing delay of the emulator, in virtual seconds. Default 300. */
  paymentDelaySeconds?: number;
  /** Start the tick loop at once (default); false waits for handle.startScheduler() (e.g. after a banner). */
  startScheduler?: boolean;
  /** Human-readable output (notifications, status changes, tick problems). Default console.log; tests pass a no-op. */
  print?: (text: string) => void;
  /** Lines about a slow start (DynamoDB Local starting, a restored world …); default: none. */
  progress?: (line: string) => void;
  /** Log lines (the same as in Lambda, readable) at or above this level reach `print`. Default "warn". */
  logLevel?: LogLevel;
}

export interface LocalHandle {
  apiUrl: string;
  apiKey: string;
  keyFile: string;
  keyCreated: boolean;
  stateDir: string;
  port: number;
  /** Absent with `aws`. */
  emulator?: EmulatorHandle;
  dynamo?: DynamoLocal;
  accountId: string;
  /** The clock CBM runs on: the emulator's (virtual) clock locally, the system clock with `aws`. */
  clock: Clock;
  outbox: OutboxNotifier;
  store: BlockStore;
  /** What each function local mode built does to keep money safe (the assembly test compares it with the Lambdas'). */
  safety: Record<string, SafetyManifest>;
  /** Real milliseconds between ticks (0 = no loop). */
  tickIntervalMs: number;
  /** Starts the tick loop (first tick at once); a no-op when already started or disabled. */
  startScheduler(): void;
  /** Runs one scheduler tick now, after any running one (ticks never overlap). */
  tick(): Promise<TickReport>;
  stop(): Promise<void>;
}
