import type { CapacityProvider, Notifier } from "@cbm/core";
import type { modelActions, SequenceState } from "./reliability-actions";
import { type IntentEvidence } from "./reliability-authorization";
import { type IntentWrite } from "./reliability-io";
import { type BlockModel, type PurchaseCall, type Snapshot } from "./reliability-model";
import { type SchedulerHarness, time } from "./scheduler-harness";

/*
 * One reliability sequence in progress: the harness, the model, what CBM was seen to do (purchase calls, intent
 * writes, notices it could not deliver) and the world's mutable state (price, held calls, the tick in progress).
 * The steps (reliability-steps.ts), the checks (reliability-checks.ts) and the quiet period (reliability-drain.ts)
 * take it explicitly.
 */

/** How long the quiet period at the end of a sequence lasts (virtual). */
export const DRAIN_MS = 3 * time.HOUR;
export const DRAIN_MAX_TICKS = 40;
/**
 * Settle grace, and the wall-clock margin after a purchase call's timeout before an intent may be settled "not
 * bought". The EC2 emulator holds a late purchase for `latencyMs` (300 ms) of real time: well inside this margin.
 */
export const SETTLE_GRACE_MS = 1_000;
/**
 * The EC2 client's timeout in the quiet period. The fault phase's 100 ms is shorter than a loaded machine's
 * scheduling jitter: there a call that simply ran late is one more fault, which safety must survive; but the quiet
 * period has no faults, and liveness is judged on its ticks and virtual time, so load must not time its calls out.
 */
export const QUIET_REQUEST_TIMEOUT_MS = 30_000;

export interface WorldOptions {
  dynamoEndpoint: string;
  /** The EC2 client's per-request timeout. */
  requestTimeoutMs: number;
  /** Latency faults hold a response this long: beyond the timeout, so the caller gives up first. */
  latencyMs: number;
}

export interface RunStats {
  sequences: number;
  commands: number;
  ticks: number;
  purchases: number;
  crashesFired: number;
  faultsFired: Record<string, number>;
  livenessExpected: number;
  livenessSkipped: number;
  drainTicks?: number;
  skipped: Record<string, number>;
  /** API actions and their outcomes, mid-call actions, notices that voided an approval, re-approvals. */
  actions: Record<string, number>;
  /** Purchases by the kind of authorization that covered them; `late` reached EC2 after the client gave up. */
  authorizations: Record<string, number>;
}

export interface SequenceRun {
  h: SchedulerHarness;
  control: SchedulerHarness["control"];
  opts: WorldOptions;
  stats: RunStats;
  st: SequenceState;
  models: BlockModel[];
  actions: ReturnType<typeof modelActions>;
  trace: string[];
  settings: NonNullable<Parameters<SchedulerHarness["makeTick"]>[0]>["settings"];
  /** No approver can be reached: CBM approves within the policy by itself. */
  autoApprove: boolean;
  notifier: Notifier;
  /** EC2 as the ticks see it, recording every purchase call. */
  recorder: CapacityProvider;
  /** The same for the quiet period, with calls that load cannot time out (QUIET_REQUEST_TIMEOUT_MS). */
  quietRecorder: CapacityProvider;
  calls: PurchaseCall[];
  /** Notices CBM sent that the approver could not read (kept for the next check: a throwing notifier would be retried). */
  unreadable: Error[];
  intentWrites: Map<string, IntentWrite>;
  /** purchase-intent events per offering, read from history once a purchase of that offering shows up. */
  evidence: Map<string, IntentEvidence[]>;
  /** The emulator's hourly rate now. */
  rate: string;
  /** Real time by which every EC2 answer held by a latency fault has landed (the quiet period and cleanup wait for it). */
  heldUntil: number;
  /** Model states in force during the tick in progress, per reservation; a concurrent action adds its result. */
  tickSnapshots: Map<string, Snapshot[]> | null;
}

export const bump = (r: Record<string, number>, k: string, by = 1) => void (r[k] = (r[k] ?? 0) + by);
