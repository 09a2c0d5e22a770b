import { compareMoney, type HistoryEvent } from "@cbm/core";
import { type IntentWrite, overlaps } from "./reliability-io";
import {
  type AuthorizationKind,
  type BlockModel,
  type ModelApproval,
  type Purchase,
  type Snapshot,
  type Terms,
  canon,
  coverageGap,
  policyTerms,
  sameTerms,
} from "./reliability-model";

/*
 * The money invariant of the reliability suite: every purchase in EC2's ledger maps to exactly one authorization
 * whose terms cover it. The authorization is read from the purchase-intent event CBM wrote (with the intent, in the
 * same transaction); the model checks it against what it knows on its own: the registrations it created and
 * deleted, the approvals it gave and when they ended, the policy states in force during the tick.
 */

/** What the purchase-intent event of a purchase says: the intent and the one authorization it used. */
export interface IntentEvidence {
  intent: { id: string; offeringId: string; window: string; durationHours: number; upfrontFee: string; currencyCode: string };
  authorization: { kind: AuthorizationKind; terms: Terms; by?: string; at?: string };
}

/** The purchase-intent events among `events`, by the offering they were written for. */
export function intentEvidence(events: HistoryEvent[]): Map<string, IntentEvidence[]> {
  const out = new Map<string, IntentEvidence[]>();
  for (const e of events) {
    if (e.type !== "purchase-intent") continue;
    const ev = e.data as unknown as IntentEvidence | undefined;
    if (!ev?.intent?.offeringId) continue;
    out.set(ev.intent.offeringId, [...(out.get(ev.intent.offeringId) ?? []), ev]);
  }
  return out;
}

export interface AuthorizationContext {
  m: BlockModel;
  /** Every approval the model gave in this sequence, by its unique `by`. */
  approvals: ReadonlyMap<string, ModelApproval>;
  /** The committed intent write, when the recorder saw it. */
  write: IntentWrite | undefined;
  /** Model states in force during the tick that made the purchase call. */
  snapshots: Snapshot[];
}

/** Why `ev` does not authorize `p`, or null when it does. */
export function authorizationGap(p: Purchase, ev: IntentEvidence, ctx: AuthorizationContext): string | null {
  return (
    intentGap(p, ev) ??
    termsGap(p, ev) ??
    registrationGap(ev, ctx) ??
    (ev.authorization.kind === "approval" ? approvalGap(ev, ctx) : policyGap(ev, ctx))
  );
}

/** Names the authorization, so no two purchases can use the same one. */
export function authorizationKey(ev: IntentEvidence): string {
  const a = ev.authorization;
  // An approval is one person's act (the model gives each a unique `by`); the policy authorizes once per registration and window.
  return a.kind === "approval" ? `approval ${a.by} ${a.at}` : `${a.kind} ${a.terms.registrationId} ${canon(a.terms.window)}`;
}

/** The intent CBM recorded is the purchase EC2 made. */
function intentGap(p: Purchase, ev: IntentEvidence): string | null {
  const i = ev.intent;
  if (i.offeringId !== p.offeringId) return `intent names ${i.offeringId}`;
  if (canon(i.window) !== p.window) return `intent window ${i.window}, bought in ${p.window}`;
  if (i.durationHours !== p.durationHours) return `intent duration ${i.durationHours} h, bought ${p.durationHours} h`;
  if (compareMoney(i.upfrontFee, p.upfrontFee) !== 0 || i.currencyCode !== p.currencyCode)
    return `intent fee ${i.upfrontFee} ${i.currencyCode}, paid ${p.upfrontFee} ${p.currencyCode}`;
  return null;
}

/** The terms cover what EC2 sold: reservation, window, duration, fee and currency. */
function termsGap(p: Purchase, ev: IntentEvidence): string | null {
  const t = ev.authorization.terms;
  const gap = coverageGap(t, {
    capacityReservationId: p.cr,
    registrationId: t.registrationId ?? "",
    window: p.window,
    durationHours: p.durationHours,
    upfrontFee: p.upfrontFee,
    currencyCode: p.currencyCode,
  });
  return gap && `its terms do not cover the purchase: ${gap}`;
}

/** The authorization names the registration whose record took the intent, and that registration existed then. */
function registrationGap(ev: IntentEvidence, { m, write }: AuthorizationContext): string | null {
  const id = ev.authorization.terms.registrationId;
  if (id === undefined) return "its terms name no registration";
  const reg = m.registrations.find((r) => r.id === id);
  if (!reg) return `registration ${id} is not one the model created for ${m.pk}`;
  if (!write) return `no committed intent write ${ev.intent.id} was seen`;
  if (write.registrationId !== id) return `the intent was written to registration ${write.registrationId}, the terms name ${id}`;
  if (!overlaps({ from: write.issued, to: write.resolved }, { from: reg.createIssued, to: reg.deleteResolved })) {
    return `registration ${id} did not exist when the intent was written (write ${write.issued}–${write.resolved}, registration ${reg.createIssued}–${reg.deleteResolved ?? "now"})`;
  }
  return null;
}

/** An approval-kind authorization is one the model gave, for these very terms, and still held when the intent was written. */
function approvalGap(ev: IntentEvidence, { approvals, write }: AuthorizationContext): string | null {
  const a = ev.authorization;
  const given = a.by === undefined ? undefined : approvals.get(a.by);
  if (!given) return `approval by ${a.by} at ${a.at} was never given by the model`;
  if (given.at !== a.at) return `approval by ${a.by} was given at ${given.at}, not ${a.at}`;
  if (given.registrationId !== a.terms.registrationId) return `approval by ${a.by} was given to registration ${given.registrationId}`;
  if (!sameTerms(given.terms, a.terms))
    return `approval by ${a.by} covered ${JSON.stringify(given.terms)}, the purchase used ${JSON.stringify(a.terms)}`;
  if (write && !overlaps({ from: write.issued, to: write.resolved }, { from: given.issued, to: given.ended?.seq })) {
    return `approval by ${a.by} had ended (${given.ended?.why}) before the intent was written`;
  }
  return null;
}

/** A policy or automatic authorization carries the policy's terms as they were in force for that registration. */
function policyGap(ev: IntentEvidence, { m, snapshots }: AuthorizationContext): string | null {
  const t = ev.authorization.terms;
  if (t.basis !== "policy") return `a ${ev.authorization.kind} authorization with ${t.basis} terms`;
  const inForce = snapshots.filter((s) => s.registrationId === t.registrationId);
  if (inForce.some((s) => sameTerms(t, policyTerms(m, s.registrationId, s.policy, t.window, "policy")))) return null;
  return `terms ${JSON.stringify(t)} are not the policy's in force (${inForce.map((s) => JSON.stringify(policyTerms(m, s.registrationId, s.policy, t.window, "policy"))).join(" / ") || "no state of that registration"})`;
}
