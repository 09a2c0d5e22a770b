import * as z from "zod";
import { termsForQuote, type AuthorizationTerms } from "./authorization";
import type { Block } from "./block";
import type { ExtensionOffering } from "./ec2-view";
import type { EngineSettings } from "./engine-types";
import { PurchaseInFlightError, InvalidStateError } from "./errors";
import type { HistoryEvent } from "./history";
import { durationText } from "./ladder";
import { compareMoney } from "./money";
import { IsoDateTime, Money } from "./policy";
import { policyAllows } from "./policy-fit";
import { canonicalIso, sameInstant, toMs } from "./time";
import { quoteTerms, verdictWindow } from "./verdicts";
import { extensionWindow } from "./window";

/**
 * What one approval link is bound to: the block's registration, its reservation, one window and the exact quoted
 * terms, for one recipient, until the window's last call passes. The token carries these claims, signed; the page
 * shows them and an approval through the link records exactly them, never a later quote.
 */
export const LinkClaims = z.object({
  v: z.literal(1),
  /** Unique per link: the key of its "used" record, so it acts once. */
  id: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/),
  pk: z.string().min(1).max(128),
  registrationId: z.string().optional(),
  capacityReservationId: z.string(),
  window: IsoDateTime,
  durationHours: z.number().int().positive(),
  upfrontFee: Money,
  currency: z.string(),
  offeringId: z.string().optional(),
  /** The notified address or label; the approver is recorded as `link:<to>`. */
  to: z.string().min(1).max(254),
  expiresAt: IsoDateTime,
});
export type LinkClaims = z.infer<typeof LinkClaims>;

/** When a link for `window` stops working: when CBM's buying window closes, after which no approval can be used. */
export function linkExpiresAt(
  block: Block,
  window: string,
  settings: Pick<EngineSettings, "windowOpensBeforeMs" | "windowClosesBeforeMs">,
): string {
  return extensionWindow(window, block.policy, settings).closesAt;
}

/** The claims of a link for the quote `offering` of `window`, sent to `to`. */
export function linkClaimsFor(
  block: Block,
  window: string,
  offering: ExtensionOffering,
  link: { id: string; to: string; expiresAt: string },
): LinkClaims {
  return {
    v: 1,
    id: link.id,
    pk: block.PK,
    ...(block.registrationId !== undefined ? { registrationId: block.registrationId } : {}),
    capacityReservationId: block.capacityReservationId,
    window: canonicalIso(window),
    durationHours: offering.durationHours,
    upfrontFee: offering.upfrontFee,
    currency: offering.currencyCode,
    ...(offering.offeringId ? { offeringId: offering.offeringId } : {}),
    to: link.to,
    expiresAt: canonicalIso(link.expiresAt),
  };
}

/** The authorization terms a link's approval records: exactly the quote the link showed. */
export function linkTerms(claims: LinkClaims, block: Block): AuthorizationTerms {
  return termsForQuote(block, claims.window, {
    ...(claims.offeringId !== undefined ? { offeringId: claims.offeringId } : {}),
    durationHours: claims.durationHours,
    upfrontFee: claims.upfrontFee,
    currencyCode: claims.currency,
  });
}

/** The actor a link's verdict is recorded with. */
export function linkActor(claims: Pick<LinkClaims, "to">): string {
  return `link:${claims.to}`;
}

/** When and how a link was used (its "used" record). */
export const LinkUse = z.object({
  tokenId: z.string(),
  pk: z.string(),
  /** `declined`: a capacity request cancelled through its link (a block's window is `denied`). */
  action: z.enum(["approved", "denied", "declined"]),
  by: z.string(),
  at: IsoDateTime,
  /** After this the record may be deleted (the link has expired anyway). */
  expiresAt: IsoDateTime,
});
export type LinkUse = z.infer<typeof LinkUse>;

/**
 * What a link can do now. `used`, `expired` and `superseded` change nothing and say why; `retry` is a purchase being
 * settled (neither window is certain for a minute or two); `ready` carries the terms an approval would record.
 */
export type LinkState =
  | { kind: "used"; use: LinkUse }
  | { kind: "expired"; expiredAt: string }
  | { kind: "superseded"; reason: string }
  | { kind: "retry"; reason: string }
  | { kind: "ready"; block: Block; terms: AuthorizationTerms };

/**
 * Checks a link against the block as stored now. It is superseded when the block is gone or registered again, the
 * window is bought or past, the current quote (the last notice's) is no longer the one the link showed, or the
 * policy as it is now does not allow the link's terms.
 */
export function linkState(claims: LinkClaims, block: Block | undefined, now: Date, use: LinkUse | undefined): LinkState {
  if (use) return { kind: "used", use };
  if (now.getTime() >= toMs(claims.expiresAt)) return { kind: "expired", expiredAt: claims.expiresAt };
  if (!block) return { kind: "superseded", reason: "the block was deleted: CBM no longer manages it" };
  if (block.registrationId !== claims.registrationId || block.capacityReservationId !== claims.capacityReservationId) {
    return { kind: "superseded", reason: "the block was deleted and registered again since this link was sent" };
  }
  let window: string;
  try {
    window = verdictWindow(block);
  } catch (err) {
    if (err instanceof PurchaseInFlightError)
      return { kind: "retry", reason: "a purchase for this block is being settled with EC2; try again in a few minutes" };
    if (err instanceof InvalidStateError)
      return { kind: "retry", reason: "the block's end date is not known yet; try again after the next scheduler tick" };
    throw err;
  }
  if (!sameInstant(window, claims.window)) {
    const bought = toMs(window) > toMs(claims.window);
    return {
      kind: "superseded",
      reason: bought
        ? `the extension for the window ending ${claims.window} was bought already`
        : `the block's end date is now ${window}, not ${claims.window}`,
    };
  }
  const quote = quoteTerms(block, claims.window);
  if (!quote) return { kind: "superseded", reason: "CBM is no longer asking for approval of this window" };
  const sameTerms =
    quote.durationHours === claims.durationHours &&
    compareMoney(quote.upfrontFee, claims.upfrontFee) === 0 &&
    quote.currencyCode === claims.currency;
  if (!sameTerms) {
    return {
      kind: "superseded",
      reason: `the terms changed: the current quote is ${quote.upfrontFee} ${quote.currencyCode} for ${durationText(quote.durationHours)}; use the link in the newest notice`,
    };
  }
  // The policy may have changed since the notice (a pause, a lower cap or budget, other durations or currency): the
  // next tick would void an approval of these terms, so one is not recorded in the first place.
  const fit = policyAllows(block, claims.window, {
    durationHours: claims.durationHours,
    upfrontFee: claims.upfrontFee,
    currencyCode: claims.currency,
  });
  if (!fit.fits) return { kind: "superseded", reason: `the block's policy no longer allows these terms: ${fit.reason}` };
  return { kind: "ready", block, terms: linkTerms(claims, block) };
}

/** History events worth showing next to a decision: the newest few, without the scheduler's status chatter. */
export function recentDecisions(events: HistoryEvent[], max = 8): HistoryEvent[] {
  return events.filter((e) => e.type !== "status-changed").slice(0, max);
}
