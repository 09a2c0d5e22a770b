import {
  authorizePurchase,
  awaitingApproval,
  nothingFits,
  requestExpired,
  type BlockOffering,
  type CapacityRequest,
  chooseOffering,
  describeRequestTerms,
  InfrastructureError,
  REQUEST_LINK_TTL_MS,
  type RequestTerms,
  sameRequestTerms,
} from "@cbm/core";
import { noticePk, type StepContext } from "./context";
import { purchase } from "./purchase";
import { searchBackoffMs } from "./settle";

/** This tick's offerings in every region of the request, at once; a region that fails is reported, not fatal. */
async function offeringsFor(ctx: StepContext, req: CapacityRequest): Promise<{ offerings: BlockOffering[]; failed: string[] }> {
  const w = req.wanted;
  const query = {
    instanceType: w.instanceType,
    instanceCount: w.instanceCount,
    durationHours: w.durationHours,
    // EC2's range is on start and end; the latest start bounds the latest end.
    earliestStart: new Date(Math.max(Date.parse(w.earliestStart), ctx.now.getTime())).toISOString(),
    latestEnd: new Date(Date.parse(w.latestStart) + w.durationHours * 3_600_000 + 3_600_000).toISOString(),
    ...(w.allAvailabilityZones ? { allAvailabilityZones: true } : {}),
  };
  const settled = await Promise.allSettled(w.regions.map((region) => ctx.market.offerings(region, query)));
  const offerings: BlockOffering[] = [];
  const failed: string[] = [];
  for (const [i, s] of settled.entries()) {
    if (s.status === "fulfilled") offerings.push(...s.value.filter((o) => o.region === w.regions[i]));
    else if (s.reason instanceof InfrastructureError) failed.push(`${w.regions[i]}: ${s.reason.message}`);
    else throw s.reason;
  }
  return { offerings, failed };
}

/** How long before the same quote is notified again: a link's lifetime, or never without links. */
function linkLifeMs(ctx: StepContext): number {
  return ctx.approvalLinks ? REQUEST_LINK_TTL_MS : Number.POSITIVE_INFINITY;
}

/** The signed link of a quote; failing to make one (the link key unreadable) must not hold the notice back. */
async function quoteLink(ctx: StepContext, terms: RequestTerms): Promise<string | undefined> {
  return ctx.approvalLinks?.linkFor({ subject: "request", terms, now: ctx.now }).catch(() => undefined);
}

/** The approval notice of a quote: the signed link first (when links are configured), then the CLI and API. */
async function sendQuote(ctx: StepContext, req: CapacityRequest, terms: RequestTerms, o: BlockOffering, at: string): Promise<void> {
  const how = ctx.apiUrl ? `cbm request approve ${req.id} (or PATCH ${ctx.apiUrl}/requests/${req.id})` : `cbm request approve ${req.id}`;
  const link = await quoteLink(ctx, terms);
  await ctx.notifier.send({
    key: `REQ#${req.id}#quote#${o.region}#${o.availabilityZone}#${o.startDate}#${o.upfrontFee}#${at}`,
    kind: "approval-request",
    pk: noticePk(req),
    subject: `Approve capacity request ${req.name ?? req.id}: ${o.upfrontFee} ${o.currencyCode}`,
    body: [
      ...(link
        ? ["Review and approve here:", link, "(Opening the link changes nothing; it approves once, these exact terms only.)", ""]
        : []),
      `CBM found ${describeRequestTerms(terms)}. Offerings are first come, first served; approve these exact terms with: ${how}`,
    ].join("\n"),
    at,
  });
}

/**
 * An open request's tick: expire it past its latest start, else search, pick the cheapest offering that fits, and
 * buy it when one authorization covers it, or ask a person to approve its exact terms (one notice per quote).
 */
export async function searchAndAct(ctx: StepContext, req: CapacityRequest): Promise<CapacityRequest> {
  const at = ctx.now.toISOString();
  if (ctx.now.getTime() > Date.parse(req.wanted.latestStart)) return ctx.requests.update(requestExpired(req, at), req.version);
  const { offerings, failed } = await offeringsFor(ctx, req);
  const choice = chooseOffering(req, offerings);
  if (choice.kind === "none") {
    const failures = (req.failures ?? 0) + 1;
    const reason = failed.length ? `${choice.reason}; search failed in ${failed.join("; ")}` : choice.reason;
    const nextCheckAt = new Date(ctx.now.getTime() + searchBackoffMs(ctx.searchEveryMs, failures - 1)).toISOString();
    return ctx.requests.update(nothingFits(req, reason, at, nextCheckAt), req.version);
  }
  const verdict = authorizePurchase(req, choice.offering, { canReachApprover: ctx.notifier.canReachApprover, now: at });
  if (verdict.kind === "buy") {
    // The search took time (describe limits back off): a purchase begun now must be recorded before the run is
    // stopped, so past the deadline the request stays due and the next run searches again.
    if (!ctx.timeLeft()) return req;
    return purchase(ctx, req, choice.offering, verdict.authorization);
  }

  const sameQuote = req.quote ? sameRequestTerms(req, req.quote, choice.offering) : false;
  // A link lives a day at most: a quote that stays longer is sent again, with a fresh link.
  const quotedAt = sameQuote && req.quotedAt && ctx.now.getTime() - Date.parse(req.quotedAt) < linkLifeMs(ctx) ? req.quotedAt : at;
  if (quotedAt === at) await sendQuote(ctx, req, verdict.terms, choice.offering, at);
  const { pricePerInstanceHour: _p, ...quote } = choice.offering;
  return ctx.requests.update(awaitingApproval(req, quote, quotedAt, verdict.reason, at), req.version);
}
