import Decimal from "decimal.js";
import fc from "fast-check";
import { type ExtensionPolicy, addMoney, compareMoney, isLadderHours, wantedDurationsDays } from "@cbm/core";
import { time } from "./scheduler-harness";

/*
 * The model side of the reliability suite: the commands fast-check generates, what the test knows independently
 * of CBM (the policy and verdicts it set, prices, capacity), and the safety and liveness rules checked against
 * EC2's ledger. Nothing here trusts CBM's own bookkeeping for a verdict.
 */

export const INSTANCE_TYPE = "p5.48xlarge";
/** The emulator's default hourly rate for INSTANCE_TYPE. */
export const DEFAULT_RATE = "31.464";
export const RATES = [DEFAULT_RATE, "10", "52.5", "0.01"] as const;
/** CBM's safety margin before EC2's own 1 h cut-off (DEFAULT_ENGINE_SETTINGS.windowClosesBeforeMs). */
export const CLOSES_BEFORE_MS = 65 * time.MINUTE;
export const MAX_WINDOW_MS = 56 * time.DAY;

export const FAULT_ACTIONS = [
  "PurchaseCapacityBlockExtension",
  "DescribeCapacityReservations",
  "DescribeCapacityBlockExtensionHistory",
  "DescribeCapacityBlockExtensionOfferings",
  "*",
] as const;
export const FAULT_KINDS = ["throttle", "describe-limit", "error-before", "error-after", "latency", "empty-offerings", "payment-failure"] as const;
export type FaultKindName = (typeof FAULT_KINDS)[number];

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

export type Command =
  | { k: "tick"; overlap: boolean; crash: CrashPoint | null; edit: { block: number; edit: Edit } | null }
  | { k: "edit"; block: number; edit: Edit }
  | { k: "approve"; block: number }
  | { k: "deny"; block: number }
  | { k: "jump"; ms: number }
  | { k: "fault"; action: (typeof FAULT_ACTIONS)[number]; kind: FaultKindName; times: number; block: number | null; effect: "before" | "after" }
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

const editArb = (nBlocks: number) =>
  fc.record({
    block: fc.nat({ max: nBlocks - 1 }),
    edit: fc.oneof(
      fc.record({ field: fc.constant("maxUpfrontFee" as const), value: money }),
      fc.record({ field: fc.constant("budget" as const), value: money }),
      fc.record({ field: fc.constant("extendByDays" as const), value: fc.constantFrom(...EXTEND_DAYS) }),
      fc.record({ field: fc.constant("enabled" as const), value: fc.boolean() }),
      fc.record({ field: fc.constant("requireApproval" as const), value: fc.boolean() }),
      fc.record({ field: fc.constant("lookaheadHours" as const), value: fc.constantFrom(...LOOKAHEAD_HOURS) }),
      fc.record({ field: fc.constant("maxExtensions" as const), value: fc.constantFrom(null, 0, 1, 3) }),
    ) as fc.Arbitrary<Edit>,
  });

const jumpArb = fc.oneof(
  { weight: 5, arbitrary: fc.integer({ min: 1, max: 30 }).map((m) => m * time.MINUTE) },
  { weight: 3, arbitrary: fc.integer({ min: 1, max: 12 }).map((h) => h * time.HOUR) },
  { weight: 2, arbitrary: fc.integer({ min: 1, max: 3 }).map((d) => d * time.DAY) },
);

function commandArb(nBlocks: number): fc.Arbitrary<Command> {
  const block = fc.nat({ max: nBlocks - 1 });
  return fc.oneof(
    {
      weight: 10,
      arbitrary: fc.record({
        k: fc.constant("tick" as const),
        overlap: fc.constantFrom(false, false, false, true),
        crash: fc.oneof({ weight: 5, arbitrary: fc.constant(null) }, { weight: 2, arbitrary: fc.constantFrom(...CRASH_POINTS) }),
        edit: fc.oneof({ weight: 6, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: editArb(nBlocks) }),
      }),
    },
    { weight: 3, arbitrary: editArb(nBlocks).map((e) => ({ k: "edit" as const, ...e })) },
    { weight: 5, arbitrary: fc.record({ k: fc.constant("approve" as const), block }) },
    { weight: 1, arbitrary: fc.record({ k: fc.constant("deny" as const), block }) },
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
    { weight: 1, arbitrary: fc.record({ k: fc.constant("capacity" as const), block, days: fc.constantFrom(...EXTEND_DAYS), available: fc.boolean() }) },
    { weight: 1, arbitrary: fc.record({ k: fc.constant("price" as const), rate: fc.constantFrom(...RATES) }) },
  );
}

/** A sequence: 1–3 blocks and a few commands. Short on purpose: 500 of them run in `npm test`. */
export function sequenceArb(maxCommands: number): fc.Arbitrary<SequenceSpec> {
  return fc.integer({ min: 1, max: 3 }).chain((n) =>
    fc.record({
      startOffsetMin: fc.integer({ min: 0, max: 24 * 60 - 1 }),
      canReachApprover: fc.constantFrom(true, true, true, false),
      blocks: fc.array(blockArb, { minLength: n, maxLength: n }),
      commands: fc.array(commandArb(n), { minLength: 3, maxLength: maxCommands }),
    }),
  );
}

/** The emulator's fee: hourly rate × instances × hours, exact, half-up to cents. */
export function feeFor(rate: string, instanceCount: number, hours: number): string {
  return new Decimal(rate).times(instanceCount).times(hours).toDecimalPlaces(2, Decimal.ROUND_HALF_UP).toFixed(2);
}

/** Resolves a relative money choice against `fee`; undefined = no limit. */
export function resolveMoney(choice: MoneyChoice, fee: string): string | undefined {
  const f = new Decimal(fee);
  switch (choice) {
    case "none":
      return undefined;
    case "exact":
      return f.toFixed(2);
    case "cent-below":
      return Decimal.max(f.minus("0.01"), 0).toFixed(2);
    case "double":
      return f.times(2).toFixed(2);
    case "tiny":
      return "1.00";
    case "huge":
      return "100000000.00";
  }
}

export type VerdictKind = "approved" | "denied";

/** What the test itself set for one block: the policy in force and the verdicts it gave, per window. */
export interface BlockModel {
  pk: string;
  cr: string;
  region: string;
  instanceCount: number;
  policy: ExtensionPolicy;
  /** Last verdict per window (canonical ISO end date), as the API answered it. */
  verdicts: Map<string, VerdictKind>;
  /** Durations (hours) switched off in EC2 for this reservation. */
  unavailableHours: Set<number>;
}

export interface Snapshot {
  policy: ExtensionPolicy;
  verdicts: Map<string, VerdictKind>;
}

export function snapshot(b: BlockModel): Snapshot {
  return { policy: structuredClone(b.policy), verdicts: new Map(b.verdicts) };
}

/** A PurchaseCapacityBlockExtension call CBM made, with the model states that were in force during its tick. */
export interface PurchaseCall {
  cr: string;
  offeringId: string;
  atMs: number;
  snapshots: Snapshot[];
}

/** One purchase as EC2 recorded it: ledger entry joined with the extension it created. */
export interface Purchase {
  cr: string;
  offeringId: string;
  atMs: number;
  upfrontFee: string;
  durationHours: number;
  /** The end date the extension started from: the window it was bought in. */
  window: string;
  status: string;
  paymentResolvesAtMs: number | undefined;
}

export const canon = (iso: string) => new Date(iso).toISOString();

/** Why `p` may not have been bought under snapshot `s`, or null when it was allowed. */
export function purchaseViolation(
  p: Purchase,
  s: Snapshot,
  earlier: Purchase[],
  opts: { autoApprove: boolean },
): string | null {
  const { policy } = s;
  const endMs = Date.parse(p.window);
  if (!policy.enabled) return "bought while the policy was disabled";
  const verdict = s.verdicts.get(p.window);
  if (verdict === "denied") return `bought in window ${p.window} that was denied`;
  if (policy.requireApproval && !opts.autoApprove && verdict !== "approved") return `bought in window ${p.window} without approval`;
  const opensMs = Math.max(endMs - policy.lookaheadHours * time.HOUR, endMs - MAX_WINDOW_MS);
  if (p.atMs < opensMs) return `bought at ${new Date(p.atMs).toISOString()}, before the window opened (${new Date(opensMs).toISOString()})`;
  if (p.atMs > endMs - CLOSES_BEFORE_MS) return `bought at ${new Date(p.atMs).toISOString()}, after CBM's window closed for ${p.window}`;
  if (!isLadderHours(p.durationHours)) return `duration ${p.durationHours} h is not on the ladder`;
  const wanted = wantedDurationsDays(policy, p.window)[0]! * 24;
  if (p.durationHours !== wanted) return `bought ${p.durationHours} h, policy wanted ${wanted} h`;
  if (policy.maxUpfrontFee !== undefined && compareMoney(p.upfrontFee, policy.maxUpfrontFee) > 0) return `fee ${p.upfrontFee} above maxUpfrontFee ${policy.maxUpfrontFee}`;
  if (policy.budget !== undefined) {
    // Lenient on purpose: an earlier extension whose payment had failed by then no longer counts.
    const spent = earlier
      .filter((e) => !(e.status === "payment-failed" && e.paymentResolvesAtMs !== undefined && e.paymentResolvesAtMs <= p.atMs))
      .reduce((sum, e) => addMoney(sum, e.upfrontFee), "0");
    if (compareMoney(addMoney(spent, p.upfrontFee), policy.budget) > 0) return `fee ${p.upfrontFee} + spent ${spent} above budget ${policy.budget}`;
  }
  if (policy.extendUntil !== undefined && endMs >= Date.parse(policy.extendUntil)) return `bought although the end ${p.window} had reached extendUntil`;
  if (policy.maxExtensions !== undefined) {
    const paid = earlier.filter((e) => e.status === "payment-succeeded").length;
    if (paid >= policy.maxExtensions) return `bought after ${paid} paid extensions (maxExtensions ${policy.maxExtensions})`;
  }
  return null;
}
