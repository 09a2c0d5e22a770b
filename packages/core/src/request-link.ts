import * as z from "zod";
import { LinkClaims, type LinkUse } from "./approval-link";
import { type CapacityRequest, RequestTerms, TERMINAL_REQUEST_STATUSES } from "./capacity-request";
import { compareMoney } from "./money";
import { IsoDateTime } from "./policy";
import { rankOfferings } from "./offerings";
import { describeRequestTerms, misfit, requestCovers, termsForOffering } from "./request-decision";
import { canonicalIso, isoAt, toMs } from "./time";

/**
 * What one request approval link is bound to: the request and the exact terms of the quote the notice showed (zone,
 * start, duration, type, count, fee, currency), for one recipient, until it expires. Signed like a block's link
 * (`subject` tells them apart); an approval through it records exactly these terms, never a later quote.
 */
export const RequestLinkClaims = z.object({
  v: z.literal(1),
  subject: z.literal("request"),
  id: LinkClaims.shape.id,
  terms: RequestTerms,
  to: LinkClaims.shape.to,
  expiresAt: IsoDateTime,
});
export type RequestLinkClaims = z.infer<typeof RequestLinkClaims>;

/** Any approval link's claims: a block's extension or a capacity request's purchase. */
export type AnyLinkClaims = LinkClaims | RequestLinkClaims;

export function isRequestLink(claims: AnyLinkClaims): claims is RequestLinkClaims {
  return "subject" in claims && claims.subject === "request";
}

/**
 * How long a request link lives: a day at most, and never past the quoted start (after it the offering cannot be
 * bought). Offerings are first come, first served, so an old link is more likely stale than useful.
 */
export const REQUEST_LINK_TTL_MS = 24 * 3_600_000;

export function requestLinkExpiresAt(terms: Pick<RequestTerms, "startDate">, now: Date): string {
  return isoAt(Math.min(toMs(terms.startDate), now.getTime() + REQUEST_LINK_TTL_MS));
}

/** The claims of a link for the request's quote `terms`, sent to `to`. */
export function requestLinkClaimsFor(terms: RequestTerms, link: { id: string; to: string; expiresAt: string }): RequestLinkClaims {
  return { v: 1, subject: "request", id: link.id, terms, to: link.to, expiresAt: canonicalIso(link.expiresAt) };
}

/** The key a request link's use is recorded under (beside a block's PK in `LinkUse.pk`). */
export function requestLinkPk(requestId: string): string {
  return `request:${requestId}`;
}

/**
 * The terms approving the request now would cover (its current quote's, while it still fits the request's limits and
 * wants), or why nothing can be approved. The one rule for PATCH /requests/{id} and for links.
 */
export function approvableTerms(r: CapacityRequest): { ok: true; terms: RequestTerms } | { ok: false; reason: string } {
  if (TERMINAL_REQUEST_STATUSES.has(r.status) || r.intent || r.purchase)
    return { ok: false, reason: `The request is ${r.status}; there is nothing to approve` };
  if (!r.quote) return { ok: false, reason: "No offering has been quoted yet; approve once the request is awaiting-approval" };
  // The quote fitted when the worker chose it; the request's limits or wants may have changed since. The worker's own
  // rule (misfit) decides, so an approval is never recorded for an offering the worker would not buy.
  const why = misfit(r, rankOfferings([r.quote])[0]!);
  if (why !== undefined) return { ok: false, reason: `The quoted offering no longer fits the request: ${why}` };
  return { ok: true, terms: termsForOffering(r, r.quote) };
}

/** Whether `terms` are exactly the request's current quote (EC2's offering id aside: it changes on every search). */
export function isCurrentQuote(r: CapacityRequest, terms: RequestTerms): boolean {
  return !!r.quote && requestCovers(terms, r, r.quote).covered && compareMoney(r.quote.upfrontFee, terms.maxUpfrontFee) === 0;
}

/** The request once `by` approved `terms`; the worker buys on its next run if an offering with these terms is there. */
export function withApproval(r: CapacityRequest, terms: RequestTerms, by: string, at: string, comment?: string): CapacityRequest {
  return {
    ...r,
    approval: { by, at, ...(comment ? { comment } : {}), terms },
    statusReason: `Approved by ${by}: ${describeRequestTerms(terms)}`,
    updatedAt: at,
    nextCheckAt: at,
  };
}

/** What a request link can do now; every kind but `ready` changes nothing and says why. */
export type RequestLinkState =
  | { kind: "used"; use: LinkUse }
  | { kind: "expired"; expiredAt: string }
  | { kind: "superseded"; reason: string }
  | { kind: "ready"; request: CapacityRequest; terms: RequestTerms };

/**
 * Checks a request link against the request as stored now: superseded when the request is gone, closed, buying or
 * bought, already approved, or re-quoted at other terms (another price, zone or start).
 */
export function requestLinkState(
  claims: RequestLinkClaims,
  request: CapacityRequest | undefined,
  now: Date,
  use: LinkUse | undefined,
): RequestLinkState {
  if (use) return { kind: "used", use };
  if (now.getTime() >= toMs(claims.expiresAt)) return { kind: "expired", expiredAt: claims.expiresAt };
  if (!request || request.id !== claims.terms.requestId) return { kind: "superseded", reason: "the request does not exist" };
  const open = approvableTerms(request);
  if (!open.ok) return { kind: "superseded", reason: open.reason.replace(/^The/, "the") };
  if (!isCurrentQuote(request, claims.terms)) {
    return {
      kind: "superseded",
      reason: `the quote changed: CBM now asks for ${describeRequestTerms(open.terms)}; use the link in the newest notice`,
    };
  }
  if (request.approval && isCurrentQuote(request, request.approval.terms))
    return { kind: "superseded", reason: `these terms were approved already by ${request.approval.by}` };
  return { kind: "ready", request, terms: claims.terms };
}
