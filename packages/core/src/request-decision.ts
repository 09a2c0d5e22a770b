import type { Coverage } from "./authorization";
import type { CapacityRequest, RequestIntent, RequestTerms } from "./capacity-request";
import { durationText } from "./ladder";
import { compareMoney, subtractMoney } from "./money";
import { type BlockOffering, type RankedOffering, rankOfferings } from "./offerings";
import { sameInstant, toMs } from "./time";

/** Why an offering does not fit a request, in words a person can act on; undefined when it fits. */
export function misfit(req: CapacityRequest, o: RankedOffering): string | undefined {
  const w = req.wanted;
  const l = req.limits;
  if (o.instanceType !== w.instanceType || o.instanceCount !== w.instanceCount) return `it is ${o.instanceCount} × ${o.instanceType}`;
  if (o.durationHours !== w.durationHours) return `it lasts ${durationText(o.durationHours)}`;
  if (!w.regions.includes(o.region)) return `it is in ${o.region}`;
  if (w.availabilityZones && !w.availabilityZones.includes(o.availabilityZone)) return `it is in zone ${o.availabilityZone}`;
  if (toMs(o.startDate) < toMs(w.earliestStart) || toMs(o.startDate) > toMs(w.latestStart))
    return `it starts at ${o.startDate}, outside the wanted start range`;
  if (o.currencyCode !== l.currency) return `it is priced in ${o.currencyCode}, not ${l.currency}`;
  if (l.maxUpfrontFee !== undefined && compareMoney(o.upfrontFee, l.maxUpfrontFee) > 0)
    return `its fee ${o.upfrontFee} ${o.currencyCode} is above maxUpfrontFee ${l.maxUpfrontFee}`;
  if (l.budget !== undefined && compareMoney(o.upfrontFee, l.budget) > 0)
    return `its fee ${o.upfrontFee} ${o.currencyCode} is above the budget ${l.budget}`;
  if (l.maxPricePerInstanceHour !== undefined && compareMoney(o.pricePerInstanceHour, l.maxPricePerInstanceHour) > 0) {
    return `its price ${o.pricePerInstanceHour} per instance-hour is above maxPricePerInstanceHour ${l.maxPricePerInstanceHour}`;
  }
  return undefined;
}

export type OfferingChoice = { kind: "fit"; offering: RankedOffering } | { kind: "none"; reason: string };

/**
 * The cheapest offering that fits every want and cap of the request, or why there is none. Offerings are first
 * come, first served, so the choice is made from this tick's search and bought in the same tick when authorized.
 */
export function chooseOffering(req: CapacityRequest, offerings: readonly BlockOffering[]): OfferingChoice {
  const ranked = rankOfferings(offerings);
  if (ranked.length === 0)
    return { kind: "none", reason: "EC2 offers no block of this type, count and duration in the wanted regions and dates" };
  const reasons: string[] = [];
  for (const o of ranked) {
    const why = misfit(req, o);
    if (why === undefined) return { kind: "fit", offering: o };
    reasons.push(why);
  }
  return { kind: "none", reason: `${ranked.length} offering(s), none within the request: the cheapest does not fit because ${reasons[0]}` };
}

/** The exact terms of one offering for this request: what an approval of its quote covers. */
export function termsForOffering(req: CapacityRequest, o: BlockOffering): RequestTerms {
  return {
    requestId: req.id,
    instanceType: o.instanceType,
    instanceCount: o.instanceCount,
    region: o.region,
    availabilityZone: o.availabilityZone,
    startDate: o.startDate,
    durationHours: o.durationHours,
    maxUpfrontFee: o.upfrontFee,
    currency: o.currencyCode,
    offeringId: o.offeringId,
  };
}

/** Whether `terms` (a person's approval) cover buying `o` for `req`: the same block, at most the approved fee. */
export function requestCovers(terms: RequestTerms, req: CapacityRequest, o: BlockOffering): Coverage {
  if (terms.requestId !== req.id) return { covered: false, reason: "it was given for another request" };
  if (terms.instanceType !== o.instanceType || terms.instanceCount !== o.instanceCount)
    return { covered: false, reason: `it was given for ${terms.instanceCount} × ${terms.instanceType}` };
  if (terms.region !== o.region || terms.availabilityZone !== o.availabilityZone)
    return { covered: false, reason: `it was given for zone ${terms.availabilityZone}, not ${o.availabilityZone}` };
  if (!sameInstant(terms.startDate, o.startDate) || terms.durationHours !== o.durationHours) {
    return {
      covered: false,
      reason: `it was given for ${durationText(terms.durationHours)} from ${terms.startDate}, not ${durationText(o.durationHours)} from ${o.startDate}`,
    };
  }
  if (terms.currency !== o.currencyCode)
    return { covered: false, reason: `the currency ${o.currencyCode} is not the approved ${terms.currency}` };
  if (compareMoney(o.upfrontFee, terms.maxUpfrontFee) > 0)
    return { covered: false, reason: `the fee ${o.upfrontFee} ${o.currencyCode} is above the approved ${terms.maxUpfrontFee}` };
  return { covered: true };
}

export type RequestAuthorization = RequestIntent["authorization"];

export type PurchaseVerdict = { kind: "buy"; authorization: RequestAuthorization } | { kind: "ask"; terms: RequestTerms; reason: string };

/**
 * Which one authorization covers buying `o` now: the request's own caps when it needs no approval, automatic
 * approval when no approver can be reached (the extension rule), or a person's approval whose terms cover `o`.
 * Otherwise the exact terms of `o` must be approved first.
 */
export function authorizePurchase(
  req: CapacityRequest,
  o: BlockOffering,
  ctx: { canReachApprover: boolean; now: string },
): PurchaseVerdict {
  const terms = termsForOffering(req, o);
  if (!req.requireApproval) return { kind: "buy", authorization: { kind: "policy", terms } };
  if (!ctx.canReachApprover) return { kind: "buy", authorization: { kind: "auto-approval", terms, at: ctx.now } };
  if (req.approval) {
    const c = requestCovers(req.approval.terms, req, o);
    if (c.covered)
      return { kind: "buy", authorization: { kind: "approval", terms: req.approval.terms, by: req.approval.by, at: req.approval.at } };
    return { kind: "ask", terms, reason: `the approval does not cover this offering: ${c.reason}` };
  }
  return { kind: "ask", terms, reason: "a person must approve these terms" };
}

/** The budget the bought block's policy gets: what the request's budget leaves after the purchase, or the block's own if lower. */
export function remainingBudget(req: CapacityRequest, fee: string): string | undefined {
  const own = req.blockPolicy?.budget;
  if (req.limits.budget === undefined) return own;
  const left = subtractMoney(req.limits.budget, fee);
  const clamped = compareMoney(left, "0") < 0 ? "0" : left;
  return own !== undefined && compareMoney(own, clamped) < 0 ? own : clamped;
}

/** Whether two offerings quote the same terms for the request (EC2 issues a new offering id on every search). */
export function sameRequestTerms(req: CapacityRequest, a: BlockOffering, b: BlockOffering): boolean {
  return requestCovers(termsForOffering(req, a), req, b).covered && compareMoney(a.upfrontFee, b.upfrontFee) === 0;
}

/** The terms in one sentence, for notices and the approval response. */
export function describeRequestTerms(t: RequestTerms): string {
  return `${t.instanceCount} × ${t.instanceType} in ${t.availabilityZone} for ${durationText(t.durationHours)} from ${t.startDate}, at most ${t.maxUpfrontFee} ${t.currency}`;
}
