import Decimal from "decimal.js";
import fc from "fast-check";
import { type ExtensionPolicy, addMoney, compareMoney, isLadderHours, wantedDurationsDays } from "@cbm/core";
import { time } from "./scheduler-harness";

/*
 * The model side of the reliability suite: the commands fast-check generates, what the test knows independently
 * of CBM (the policy, registrations and verdicts it set, the approval notices it was shown, prices, capacity), and
 * the safety and liveness rules checked against EC2's ledger. Nothing here trusts CBM's own bookkeeping for a verdict.
 */

export class InvariantError extends Error {}

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
export const FAULT_KINDS = [
  "throttle",
  "describe-limit",
  "error-before",
  "error-after",
  "latency",
  "empty-offerings",
  "payment-failure",
] as const;
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

export const canon = (iso: string) => new Date(iso).toISOString();

/** The wanted extension, in hours, for `policy` at the end date `window`. */
export const wantedHours = (policy: ExtensionPolicy, window: string) => wantedDurationsDays(policy, window)[0]! * 24;

// ---------------------------------------------------------------------------------------------------------------
// Registrations, approvals and notices, as the model saw them.

/**
 * One registration of a PK, between its create and its delete, in the world's logical time (`Seq`): every API
 * call, intent write and notice gets a number when it starts and when it ends, so "existed then" is an overlap.
 */
export interface Registration {
  id: string;
  createIssued: number;
  deleteResolved?: number;
}

/** Terms as the model writes them down (the same shape as core's AuthorizationTerms, compared field by field). */
export interface Terms {
  registrationId?: string | undefined;
  capacityReservationId: string;
  window: string;
  durationsHours: number[];
  maxUpfrontFee?: string | undefined;
  currency: string;
  basis: "quote" | "advance" | "policy";
}

/** An approval notice as the approver read it: the window, and the quoted duration, fee and currency. */
export interface Notice {
  seq: number;
  pk: string;
  /** The registration the model had when the notice arrived. */
  registrationId: string;
  window: string;
  notice: string;
  durationHours: number;
  upfrontFee: string;
  currencyCode: string;
}

/** An approval the model gave (PATCH or the first release's `approval: true`) and what CBM said it covers. */
export interface ModelApproval {
  by: string;
  at: string;
  window: string;
  registrationId: string;
  terms: Terms;
  issued: number;
  resolved: number;
  /** The model's policy when the approval was asked for and when it was answered: in advance, it covers that policy. */
  policies: ExtensionPolicy[];
  /** Checked against what the model expected it to cover (at the end of the command, once every notice is in). */
  checked: boolean;
  /** When it stopped counting: withdrawn, denied, replaced, voided by a terms-changed notice, registration deleted. */
  ended?: { seq: number; why: string };
}

/** What the test itself set for one block: its registration, the policy in force, the verdicts it gave. */
export interface BlockModel {
  pk: string;
  cr: string;
  region: string;
  instanceCount: number;
  policy: ExtensionPolicy;
  /** False between a DELETE and the create that follows it (only if that create failed). */
  present: boolean;
  registration: Registration;
  registrations: Registration[];
  /** The window the current registration's denial is for. */
  denial: string | null;
  /** The one approval the current registration holds (CBM keeps one slot), until it ends. */
  held: ModelApproval | null;
  /** Durations (hours) switched off in EC2 for this reservation. */
  unavailableHours: Set<number>;
}

export interface Snapshot {
  registrationId: string;
  policy: ExtensionPolicy;
  denial: string | null;
}

export function snapshot(b: BlockModel): Snapshot {
  return { registrationId: b.registration.id, policy: structuredClone(b.policy), denial: b.denial };
}

export function quoteTerms(m: Pick<BlockModel, "cr">, registrationId: string, n: Notice): Terms {
  return {
    registrationId,
    capacityReservationId: m.cr,
    window: canon(n.window),
    durationsHours: [n.durationHours],
    maxUpfrontFee: n.upfrontFee,
    currency: n.currencyCode,
    basis: "quote",
  };
}

/** The policy's terms for `window`: its wanted duration, its cap (none when absent) and currency. */
export function policyTerms(
  m: Pick<BlockModel, "cr">,
  registrationId: string,
  policy: ExtensionPolicy,
  window: string,
  basis: "advance" | "policy",
): Terms {
  return {
    registrationId,
    capacityReservationId: m.cr,
    window: canon(window),
    // The model never sets allowShorterFallback: one wanted duration.
    durationsHours: [wantedHours(policy, window)],
    ...(policy.maxUpfrontFee !== undefined ? { maxUpfrontFee: policy.maxUpfrontFee } : {}),
    currency: policy.currency,
    basis,
  };
}

/** Field by field; money compared as amounts, dates as instants. */
export function sameTerms(a: Terms, b: Terms): boolean {
  const fee = (x: Terms) => x.maxUpfrontFee;
  return (
    a.registrationId === b.registrationId &&
    a.capacityReservationId === b.capacityReservationId &&
    canon(a.window) === canon(b.window) &&
    JSON.stringify(a.durationsHours) === JSON.stringify(b.durationsHours) &&
    (fee(a) === undefined ? fee(b) === undefined : fee(b) !== undefined && compareMoney(fee(a)!, fee(b)!) === 0) &&
    a.currency === b.currency &&
    a.basis === b.basis
  );
}

export interface Quote {
  capacityReservationId: string;
  registrationId: string;
  window: string;
  durationHours: number;
  upfrontFee: string;
  currencyCode: string;
}

/**
 * Why `terms` do not cover buying `q`, or null when they do. The model's own reading of the rules: same
 * registration, reservation and window, a listed duration, the currency, and a fee at most the ceiling; terms
 * without a ceiling cover any fee only when they are the policy's (an approval must name a fee).
 */
export function coverageGap(terms: Terms, q: Quote): string | null {
  if (terms.registrationId !== q.registrationId) return `registration ${terms.registrationId}, not ${q.registrationId}`;
  if (terms.capacityReservationId !== q.capacityReservationId)
    return `reservation ${terms.capacityReservationId}, not ${q.capacityReservationId}`;
  if (canon(terms.window) !== canon(q.window)) return `window ${terms.window}, not ${q.window}`;
  if (!terms.durationsHours.includes(q.durationHours)) return `durations ${terms.durationsHours.join("/")} h, not ${q.durationHours} h`;
  if (terms.currency !== q.currencyCode) return `currency ${terms.currency}, not ${q.currencyCode}`;
  if (terms.maxUpfrontFee === undefined) return terms.basis === "policy" ? null : "no fee named";
  if (compareMoney(q.upfrontFee, terms.maxUpfrontFee) > 0) return `fee ${q.upfrontFee} above ${terms.maxUpfrontFee}`;
  return null;
}

/** A PurchaseCapacityBlockExtension call CBM made, with the model states that were in force during its tick. */
export interface PurchaseCall {
  cr: string;
  offeringId: string;
  atMs: number;
  snapshots: Snapshot[];
  /** The call failed or timed out on the client side (the purchase may still have reached EC2). */
  clientFailed?: boolean;
}

/** One purchase as EC2 recorded it: ledger entry joined with the extension it created. */
export interface Purchase {
  cr: string;
  offeringId: string;
  atMs: number;
  upfrontFee: string;
  durationHours: number;
  currencyCode: string;
  /** The end date the extension started from: the window it was bought in. */
  window: string;
  status: string;
  paymentResolvesAtMs: number | undefined;
}

export type AuthorizationKind = "policy" | "approval" | "auto-approval";

/**
 * Why `p` may not have been bought under snapshot `s` with an authorization of `kind`, or null when it was
 * allowed. Spend is per reservation: `earlier` holds every earlier purchase of it, whichever registration made it.
 */
export function purchaseViolation(
  p: Purchase,
  s: Snapshot,
  earlier: Purchase[],
  opts: { autoApprove: boolean; kind: AuthorizationKind },
): string | null {
  const { policy } = s;
  const endMs = Date.parse(p.window);
  if (!policy.enabled) return "bought while the policy was disabled";
  if (s.denial !== null && canon(s.denial) === p.window) return `bought in window ${p.window} that was denied`;
  if (policy.requireApproval) {
    if (opts.kind === "policy") return "bought under the policy alone although it requires approval";
    if (opts.kind === "auto-approval" && !opts.autoApprove) return "approved automatically although an approver can be reached";
  } else if (opts.kind !== "policy") {
    return `authorized by ${opts.kind} although the policy needs no approval`;
  }
  const opensMs = Math.max(endMs - policy.lookaheadHours * time.HOUR, endMs - MAX_WINDOW_MS);
  if (p.atMs < opensMs) return `bought at ${new Date(p.atMs).toISOString()}, before the window opened (${new Date(opensMs).toISOString()})`;
  if (p.atMs > endMs - CLOSES_BEFORE_MS) return `bought at ${new Date(p.atMs).toISOString()}, after CBM's window closed for ${p.window}`;
  if (!isLadderHours(p.durationHours)) return `duration ${p.durationHours} h is not on the ladder`;
  const wanted = wantedHours(policy, p.window);
  if (p.durationHours !== wanted) return `bought ${p.durationHours} h, policy wanted ${wanted} h`;
  if (policy.maxUpfrontFee !== undefined && compareMoney(p.upfrontFee, policy.maxUpfrontFee) > 0)
    return `fee ${p.upfrontFee} above maxUpfrontFee ${policy.maxUpfrontFee}`;
  if (policy.budget !== undefined) {
    // Lenient on purpose: an earlier extension whose payment had failed by then no longer counts.
    const spent = earlier
      .filter((e) => !(e.status === "payment-failed" && e.paymentResolvesAtMs !== undefined && e.paymentResolvesAtMs <= p.atMs))
      .reduce((sum, e) => addMoney(sum, e.upfrontFee), "0");
    if (compareMoney(addMoney(spent, p.upfrontFee), policy.budget) > 0)
      return `fee ${p.upfrontFee} + spent ${spent} above budget ${policy.budget}`;
  }
  if (policy.extendUntil !== undefined && endMs >= Date.parse(policy.extendUntil))
    return `bought although the end ${p.window} had reached extendUntil`;
  if (policy.maxExtensions !== undefined) {
    const paid = earlier.filter((e) => e.status === "payment-succeeded").length;
    if (paid >= policy.maxExtensions) return `bought after ${paid} paid extensions (maxExtensions ${policy.maxExtensions})`;
  }
  return null;
}
