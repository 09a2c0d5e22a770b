import * as z from "zod";
import type { ExtensionOffering } from "./ec2-view";
import { durationText } from "./ladder";
import { compareMoney } from "./money";
import { IsoDateTime, Money, type ExtensionPolicy } from "./policy";
import { canonicalIso, sameInstant } from "./time";
import { wantedDurationsDays } from "./wanted-durations";

/**
 * What one authorization allows CBM to spend: one extension of one registration's reservation, in one window, for
 * one of the listed durations, at most `maxUpfrontFee` in `currency`. A purchase outside these terms needs a new
 * authorization; a person who approved "7 days for 1680.00 USD" never pays for 28 days or for 3360.00.
 */
export const AuthorizationTerms = z.object({
  /** The registration (incarnation) of the block; absent only on records written before registrations existed. */
  registrationId: z.string().optional(),
  capacityReservationId: z.string(),
  /** The EC2 end date the extension starts at. */
  window: IsoDateTime,
  /** Extension durations allowed, in hours, preferred first. */
  durationsHours: z.array(z.number().int().positive()).min(1),
  /** Highest fee; absent when none was known (an approval in advance on a policy without maxUpfrontFee). */
  maxUpfrontFee: Money.optional(),
  currency: z.string(),
  /** `quote`: the offering a notice showed; `advance`: the policy's durations and cap when approved; `policy`: no approval needed. */
  basis: z.enum(["quote", "advance", "policy"]),
  /** The quoted offering, for the record (a later offering of the same terms is covered too). */
  offeringId: z.string().optional(),
});
export type AuthorizationTerms = z.infer<typeof AuthorizationTerms>;

/** How a purchase is authorized: the policy itself, a person's approval, or the automatic approval without an approver. */
export const Authorization = z.object({
  kind: z.enum(["policy", "approval", "auto-approval"]),
  terms: AuthorizationTerms,
  /** Who approved, and when (approvals only). */
  by: z.string().optional(),
  at: IsoDateTime.optional(),
});
export type Authorization = z.infer<typeof Authorization>;

/**
 * What every notice of an automatically approved purchase says: no one was asked because the stage has no approver
 * (deployed without ADMIN_EMAIL), and how to be asked. A reader must not take the purchase for a person's decision.
 */
export const AUTO_APPROVAL_NOTE =
  "Approved automatically: no approver can be reached on this stage (it was deployed without ADMIN_EMAIL), so " +
  "purchases that need approval are approved within the policy's caps. Deploy with ADMIN_EMAIL to be asked first.";

/** The notice line for a purchase made under `a`: the auto-approval note, or nothing. */
export function autoApprovalLines(a: Pick<Authorization, "kind"> | undefined): string[] {
  return a?.kind === "auto-approval" ? ["", AUTO_APPROVAL_NOTE] : [];
}

/**
 * What terms are given for: one registration of one reservation, under its policy. A Block is one; the fields are
 * named here so that block.ts, which stores terms, and this module do not import each other.
 */
export interface AuthorizedSubject {
  registrationId?: string | undefined;
  capacityReservationId: string;
  policy: ExtensionPolicy;
}

/** Terms of a quoted offering: exactly its duration, at most its fee, in its currency. */
export function termsForQuote(
  block: AuthorizedSubject,
  window: string,
  quote: { offeringId?: string; durationHours: number; upfrontFee: string; currencyCode: string },
): AuthorizationTerms {
  return {
    ...identity(block, window),
    durationsHours: [quote.durationHours],
    maxUpfrontFee: quote.upfrontFee,
    currency: quote.currencyCode,
    basis: "quote",
    ...(quote.offeringId !== undefined ? { offeringId: quote.offeringId } : {}),
  };
}

/** Terms of the policy as it is now: its wanted durations (with fallbacks when allowed), its cap and currency. */
export function termsFromPolicy(block: AuthorizedSubject, window: string, basis: "advance" | "policy"): AuthorizationTerms {
  const p = block.policy;
  return {
    ...identity(block, window),
    durationsHours: wantedDurationsDays(p, window).map((d) => d * 24),
    ...(p.maxUpfrontFee !== undefined ? { maxUpfrontFee: p.maxUpfrontFee } : {}),
    currency: p.currency,
    basis,
  };
}

function identity(block: Omit<AuthorizedSubject, "policy">, window: string) {
  return {
    ...(block.registrationId !== undefined ? { registrationId: block.registrationId } : {}),
    capacityReservationId: block.capacityReservationId,
    window: canonicalIso(window),
  };
}

export type Coverage = { covered: true } | { covered: false; reason: string };

/**
 * Whether `terms` cover buying `offering` for `block` in `window`. The reason names the first term that no longer
 * holds, in words a person can act on ("the fee 3360.00 USD is above the approved 1680.00 USD").
 */
export function covers(terms: AuthorizationTerms, block: AuthorizedSubject, window: string, offering: ExtensionOffering): Coverage {
  if (terms.registrationId !== undefined && terms.registrationId !== block.registrationId) {
    return { covered: false, reason: "it was given for an earlier registration of this block" };
  }
  if (terms.capacityReservationId !== block.capacityReservationId) {
    return { covered: false, reason: `it was given for reservation ${terms.capacityReservationId}` };
  }
  if (!sameInstant(terms.window, window) || !sameInstant(offering.startDate, window)) {
    return { covered: false, reason: `it was given for the window ending ${terms.window}, not ${canonicalIso(window)}` };
  }
  if (!terms.durationsHours.includes(offering.durationHours)) {
    return {
      covered: false,
      reason: `the duration ${durationText(offering.durationHours)} is not the approved ${terms.durationsHours.map(durationText).join(" or ")}`,
    };
  }
  if (offering.currencyCode !== terms.currency) {
    return { covered: false, reason: `the currency ${offering.currencyCode} is not the approved ${terms.currency}` };
  }
  if (terms.maxUpfrontFee === undefined) {
    // A policy without a cap allows any fee (the budget still applies); a person's approval must name one.
    if (terms.basis === "policy") return { covered: true };
    return { covered: false, reason: "it was given before any price was quoted and the policy has no maxUpfrontFee, so it names no fee" };
  }
  if (compareMoney(offering.upfrontFee, terms.maxUpfrontFee) > 0) {
    return {
      covered: false,
      reason: `the fee ${offering.upfrontFee} ${offering.currencyCode} is above the approved ${terms.maxUpfrontFee} ${terms.currency}`,
    };
  }
  return { covered: true };
}

/** The terms in one sentence, for notices, history and the approval response. */
export function describeTerms(t: AuthorizationTerms): string {
  const durations = t.durationsHours.map(durationText).join(" or ");
  const fee =
    t.maxUpfrontFee === undefined
      ? "a fee still to be quoted (nothing is bought until a person approves the quoted price)"
      : `at most ${t.maxUpfrontFee} ${t.currency}`;
  return `one extension of ${t.capacityReservationId} by ${durations}, for ${fee}, starting at the end date ${t.window}`;
}
