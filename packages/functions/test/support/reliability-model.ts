import Decimal from "decimal.js";
import { type ExtensionPolicy, addMoney, compareMoney, isLadderHours, wantedDurationsDays } from "@cbm/core";
import { time } from "./scheduler-harness";
import { CLOSES_BEFORE_MS, MAX_WINDOW_MS, type MoneyChoice } from "./reliability-commands";

/*
 * The model side of the reliability suite: what the test knows independently of CBM (the policy, registrations and
 * verdicts it set, the approval notices it was shown, prices, capacity), and the safety rules checked against EC2's
 * ledger. Nothing here trusts CBM's own bookkeeping for a verdict. The commands it runs are reliability-commands.ts.
 */

export class InvariantError extends Error {}

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
