import { describeRequestTerms, durationText, isoAt, toMs, HOUR_MS, type RequestLinkClaims } from "@cbm/core";
import type { RequestLinkView } from "./request-links";
import { answerForm, askPage } from "./answer-form";
import { time } from "../../platform/web/format";
import { html, type Html } from "../../platform/web/html";

type Ready = Extract<RequestLinkView, { kind: "ready" }>;

/** What a link's result pages say that depends on its subject: why it expired, and what an answer did. */
export interface SubjectResultText {
  /** Follows "It was valid until <time>". */
  expired: string;
  approved: string;
  /** A block's denial, a request's decline. */
  refused: string;
}

export const REQUEST_RESULT_TEXT: SubjectResultText = {
  expired: ". Use the link in the newest notice, or cbm request approve",
  approved:
    "Your approval is recorded. CBM buys the block on its next run (about a minute) if the offering is still there: offerings are first come, first served.",
  refused: "You declined: the request is cancelled and nothing will be bought for it.",
};

/** The quoted block a request link approves, as its claims bind it (the page never shows a later quote). */
export function requestSummary(c: RequestLinkClaims, ready?: Ready): Html {
  const t = c.terms;
  const end = isoAt(toMs(t.startDate) + t.durationHours * HOUR_MS);
  return html`<dl class="terms">
    <dt>Request</dt>
    <dd>${ready?.request.name ?? t.requestId} <span class="muted">(${t.requestId})</span></dd>
    <dt>Instances</dt>
    <dd>${t.instanceCount} × ${t.instanceType}</dd>
    <dt>Zone</dt>
    <dd>${t.availabilityZone} <span class="muted">(${t.region})</span></dd>
    <dt>Start</dt>
    <dd>${time(t.startDate)}</dd>
    <dt>End</dt>
    <dd>${time(end)} <span class="muted">(${durationText(t.durationHours)})</span></dd>
    <dt>Upfront fee</dt>
    <dd>${t.maxUpfrontFee} ${t.currency} <span class="muted">(paid up front, no refund)</span></dd>
    <dt>Link for</dt>
    <dd>${c.to}, valid until ${time(c.expiresAt)}</dd>
  </dl>`;
}

/**
 * GET of a live request link: the quoted terms and a form that approves them, or declines (cancels) the request,
 * only when a person submits it.
 */
export function requestLinkReadyPage(v: Ready, action: string, message?: string): string {
  const name = v.request.name ?? v.request.id;
  return askPage({
    title: `Approve capacity request ${name}`,
    heading: `Buy capacity for ${name}?`,
    ...(message ? { message } : {}),
    summary: requestSummary(v.claims, v),
    covers: describeRequestTerms(v.terms),
    form: html`${answerForm({
        action,
        csrf: v.csrf,
        required: false,
        approve: `Approve ${v.terms.maxUpfrontFee} ${v.terms.currency}`,
        deny: "Decline",
        confirm: "I have read the terms above: approving buys this one block only; declining cancels the request.",
      })}
      <p class="muted">Not now? Do nothing: the request keeps waiting. Decline cancels it: nothing is bought for it.</p>`,
  });
}
