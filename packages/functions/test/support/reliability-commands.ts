import fc from "fast-check";
import { time } from "./scheduler-harness";
import { FAULT_KINDS, type FaultKind } from "@cbm/ec2-emulator";

/*
 * The commands of the reliability suite and the sequences fast-check generates from them: blocks and their policies,
 * API actions, policy edits, price changes, faults, crashes, jumps in time and overlapping ticks.
 */

export const INSTANCE_TYPE = "p5.48xlarge";
/** The emulator's default hourly rate for INSTANCE_TYPE. */
export const DEFAULT_RATE = "31.464";
/** Rates a price change picks; the ones a thousandth of a dollar off the default move a fee by about a cent. */
export const RATES = [DEFAULT_RATE, "10", "52.5", "0.01", "31.465", "31.463"] as const;
/** CBM's safety margin before EC2's own 1 h cut-off (DEFAULT_ENGINE_SETTINGS.windowClosesBeforeMs). */
export const CLOSES_BEFORE_MS = 65 * time.MINUTE;
export const MAX_WINDOW_MS = 56 * time.DAY;
export const CURRENCY = "USD";

export const FAULT_ACTIONS = [
  "PurchaseCapacityBlockExtension",
  "DescribeCapacityReservations",
  "DescribeCapacityBlockExtensionHistory",
  "DescribeCapacityBlockExtensionOfferings",
  "*",
] as const;
/** The emulator's fault kinds: the model draws from exactly what the emulator can inject. */
export { FAULT_KINDS };
export type FaultKindName = FaultKind;

/** Where a tick's process "dies": from that point on, every store and EC2 call of that tick fails. */
export const CRASH_POINTS = ["before-intent-write", "after-intent-write", "after-purchase", "after-settle-write"] as const;
export type CrashPoint = (typeof CRASH_POINTS)[number];

/** A money limit relative to the fee of the block's wanted extension at the moment the command runs. */
export type MoneyChoice = "none" | "exact" | "cent-below" | "double" | "tiny" | "huge";

export type Edit =
  | { field: "maxUpfrontFee"; value: MoneyChoice }
  | { field: "budget"; value: MoneyChoice }
  | { field: "extendByDays"; value: number }
  | { field: "enabled"; value: boolean }
  | { field: "requireApproval"; value: boolean }
  | { field: "lookaheadHours"; value: number }
  | { field: "maxExtensions"; value: number | null };

/** The first release's PUT bodies: its approval flag, or the whole record read back with another name. */
export type PutBody = "approval-true" | "approval-false" | "whole-renamed";

/** What a person (or an old script) does to one block through the API. */
export type ApiAction =
  | { k: "edit"; edit: Edit }
  | { k: "approve" }
  | { k: "deny" }
  /** An approval followed at once by a policy edit: the edit may leave the approval's terms (then it is voided). */
  | { k: "approve-then-edit"; edit: Edit }
  /** DELETE, then POST of the same PK for the same reservation; `edit` changes the new registration's policy. */
  | { k: "recreate"; edit: Edit | null }
  | { k: "put"; body: PutBody }
  /** The same reservation registered under another PK: refused while a block manages it. */
  | { k: "dup" };

/** Which of the tick's EC2 calls for a block the mid-call action waits for. */
export type CallKind = "describe" | "offerings" | "purchase";
export type MidCallAct = ApiAction | { k: "price"; rate: string };

/**
 * An action run while one of the first tick's EC2 calls is in flight: a describe naming `block`, or the first
 * offerings search or purchase of any block (the action then acts on that block). After the tick if it made none.
 */
export interface MidCall {
  during: CallKind;
  block: number;
  act: MidCallAct;
}

export type Command =
  /**
   * `overlap` more tick instances run at the same time, each EC2 call of tick i delayed by `lagsMs[i]` so their
   * steps interleave; `edit` races the ticks; `mid` runs inside one of the first tick's EC2 calls.
   */
  | {
      k: "tick";
      overlap: number;
      lagsMs: number[];
      crash: CrashPoint | null;
      edit: { block: number; edit: Edit } | null;
      mid: MidCall | null;
    }
  | { k: "api"; block: number; act: ApiAction }
  | { k: "jump"; ms: number }
  | {
      k: "fault";
      action: (typeof FAULT_ACTIONS)[number];
      kind: FaultKindName;
      times: number;
      block: number | null;
      effect: "before" | "after";
    }
  /**
   * The next purchase reaches EC2 only after the client timed out (latency before the commit > request timeout).
   * `chase`: a tick runs at once, and if its purchase is held, the clock jumps past the settle grace and another
   * tick runs while the purchase is still on its way (only the wall-clock bound keeps it from buying again).
   */
  | { k: "late"; block: number | null; chase: boolean }
  | { k: "capacity"; block: number; days: number; available: boolean }
  | { k: "price"; rate: string };

export interface BlockSpec {
  /** Days from the start to the block's end (at 11:30 UTC). */
  endInDays: number;
  region: "us-east-1" | "us-west-2";
  instanceCount: number;
  requireApproval: boolean;
  extendByDays: number;
  lookaheadHours: number;
  maxUpfrontFee: MoneyChoice;
  budget: MoneyChoice;
  maxExtensions: number | null;
  /** extendUntil = first end + this many days. */
  extendUntilDays: number | null;
}

export interface SequenceSpec {
  /** Minutes after the base start; varies the time of day. */
  startOffsetMin: number;
  /** false: no approval topic, so approval-required blocks are approved automatically. */
  canReachApprover: boolean;
  /** How long EC2 keeps a bought extension payment-pending (virtual seconds). */
  paymentDelaySeconds: number;
  blocks: BlockSpec[];
  commands: Command[];
}

const EXTEND_DAYS = [1, 2, 7, 14];
const LOOKAHEAD_HOURS = [24, 48, 72];
const money = fc.constantFrom<MoneyChoice>("none", "none", "exact", "cent-below", "double", "tiny", "huge");

const blockArb: fc.Arbitrary<BlockSpec> = fc.record({
  endInDays: fc.integer({ min: 1, max: 4 }),
  region: fc.constantFrom("us-east-1" as const, "us-west-2" as const),
  instanceCount: fc.integer({ min: 1, max: 3 }),
  requireApproval: fc.boolean(),
  extendByDays: fc.constantFrom(...EXTEND_DAYS),
  lookaheadHours: fc.constantFrom(...LOOKAHEAD_HOURS),
  maxUpfrontFee: money,
  budget: money,
  maxExtensions: fc.constantFrom(null, null, null, 0, 1, 2),
  extendUntilDays: fc.constantFrom(null, null, null, 3, 9),
});

const editArb: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ field: fc.constant("maxUpfrontFee" as const), value: money }),
  fc.record({ field: fc.constant("budget" as const), value: money }),
  fc.record({ field: fc.constant("extendByDays" as const), value: fc.constantFrom(...EXTEND_DAYS) }),
  fc.record({ field: fc.constant("enabled" as const), value: fc.boolean() }),
  fc.record({ field: fc.constant("requireApproval" as const), value: fc.boolean() }),
  fc.record({ field: fc.constant("lookaheadHours" as const), value: fc.constantFrom(...LOOKAHEAD_HOURS) }),
  fc.record({ field: fc.constant("maxExtensions" as const), value: fc.constantFrom(null, 0, 1, 3) }),
) as fc.Arbitrary<Edit>;

/** Edits that change what an approval covers: the duration, the cap, whether approval is needed at all. */
const termsEditArb: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ field: fc.constant("extendByDays" as const), value: fc.constantFrom(...EXTEND_DAYS) }),
  fc.record({ field: fc.constant("maxUpfrontFee" as const), value: money }),
  fc.record({ field: fc.constant("requireApproval" as const), value: fc.boolean() }),
) as fc.Arbitrary<Edit>;

const apiActionArb: fc.Arbitrary<ApiAction> = fc.oneof(
  { weight: 2, arbitrary: termsEditArb.map((edit) => ({ k: "approve-then-edit" as const, edit })) },
  { weight: 3, arbitrary: editArb.map((edit) => ({ k: "edit" as const, edit })) },
  { weight: 5, arbitrary: fc.constant({ k: "approve" as const }) },
  { weight: 1, arbitrary: fc.constant({ k: "deny" as const }) },
  { weight: 3, arbitrary: fc.option(editArb, { nil: null, freq: 2 }).map((edit) => ({ k: "recreate" as const, edit })) },
  {
    weight: 3,
    arbitrary: fc.constantFrom<PutBody>("approval-true", "approval-false", "whole-renamed").map((body) => ({ k: "put" as const, body })),
  },
  { weight: 1, arbitrary: fc.constant({ k: "dup" as const }) },
);

const midCallArb = (nBlocks: number): fc.Arbitrary<MidCall> =>
  fc.record({
    during: fc.constantFrom<CallKind>("describe", "offerings", "purchase", "purchase"),
    block: fc.nat({ max: nBlocks - 1 }),
    act: fc.oneof(
      { weight: 6, arbitrary: apiActionArb as fc.Arbitrary<MidCallAct> },
      { weight: 1, arbitrary: fc.constantFrom(...RATES).map((rate) => ({ k: "price" as const, rate })) },
    ),
  });

const jumpArb = fc.oneof(
  { weight: 5, arbitrary: fc.integer({ min: 1, max: 30 }).map((m) => m * time.MINUTE) },
  { weight: 3, arbitrary: fc.integer({ min: 1, max: 12 }).map((h) => h * time.HOUR) },
  { weight: 2, arbitrary: fc.integer({ min: 1, max: 3 }).map((d) => d * time.DAY) },
);

/** Extra ticks running at once (separate instances), each with its own per-call EC2 delay so their steps interleave. */
const overlapArb = fc
  .oneof({ weight: 6, arbitrary: fc.constant(0) }, { weight: 2, arbitrary: fc.constant(1) }, { weight: 1, arbitrary: fc.constant(2) })
  .chain((overlap) =>
    fc.record({
      overlap: fc.constant(overlap),
      lagsMs: fc
        .array(fc.constantFrom(0, 2, 5, 15), { minLength: overlap + 1, maxLength: overlap + 1 })
        .map((l) => (overlap === 0 ? [0] : l)),
    }),
  );

function commandArb(nBlocks: number): fc.Arbitrary<Command> {
  const block = fc.nat({ max: nBlocks - 1 });
  return fc.oneof(
    {
      weight: 10,
      arbitrary: fc
        .record({
          lanes: overlapArb,
          crash: fc.oneof({ weight: 5, arbitrary: fc.constant(null) }, { weight: 2, arbitrary: fc.constantFrom(...CRASH_POINTS) }),
          edit: fc.oneof({ weight: 6, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.record({ block, edit: editArb }) }),
          mid: fc.oneof({ weight: 3, arbitrary: fc.constant(null) }, { weight: 2, arbitrary: midCallArb(nBlocks) }),
        })
        .map(({ lanes, crash, edit, mid }) => ({ k: "tick" as const, ...lanes, crash, edit, mid })),
    },
    { weight: 16, arbitrary: fc.record({ k: fc.constant("api" as const), block, act: apiActionArb }) },
    { weight: 6, arbitrary: jumpArb.map((ms) => ({ k: "jump" as const, ms })) },
    {
      weight: 4,
      // payment-failure and empty-offerings only fire on a purchase or an offerings search, which are rarer than
      // describes: drawn more often, and only on actions where they can fire.
      arbitrary: fc.constantFrom(...FAULT_KINDS, "payment-failure", "payment-failure", "empty-offerings").chain((kind) =>
        fc.record({
          k: fc.constant("fault" as const),
          action:
            kind === "payment-failure"
              ? fc.constantFrom("PurchaseCapacityBlockExtension" as const, "*" as const)
              : kind === "empty-offerings"
                ? fc.constantFrom("DescribeCapacityBlockExtensionOfferings" as const, "*" as const)
                : fc.constantFrom(...FAULT_ACTIONS),
          kind: fc.constant(kind),
          times: fc.integer({ min: 1, max: 3 }),
          block: fc.option(block, { nil: null }),
          effect: fc.constantFrom("before" as const, "after" as const),
        }),
      ),
    },
    { weight: 2, arbitrary: fc.record({ k: fc.constant("late" as const), block: fc.option(block, { nil: null }), chase: fc.boolean() }) },
    {
      weight: 1,
      arbitrary: fc.record({ k: fc.constant("capacity" as const), block, days: fc.constantFrom(...EXTEND_DAYS), available: fc.boolean() }),
    },
    { weight: 3, arbitrary: fc.record({ k: fc.constant("price" as const), rate: fc.constantFrom(...RATES) }) },
  );
}

/** A sequence: 1–3 blocks and a few commands. Short on purpose: 500 of them run in `npm test`. */
export function sequenceArb(maxCommands: number): fc.Arbitrary<SequenceSpec> {
  return fc.integer({ min: 1, max: 3 }).chain((n) =>
    fc.record({
      startOffsetMin: fc.integer({ min: 0, max: 24 * 60 - 1 }),
      canReachApprover: fc.constantFrom(true, true, true, false),
      paymentDelaySeconds: fc.constantFrom(60, 60, 600, 3600),
      blocks: fc.array(blockArb, { minLength: n, maxLength: n }),
      commands: fc.array(commandArb(n), { minLength: 3, maxLength: maxCommands }),
    }),
  );
}
