import { describeRequestTerms, durationText, isoAt, toMs, HOUR_MS, type RequestLinkClaims } from "@cbm/core";
import type { RequestLinkView } from "../use-cases/links/request-links";
import { answerForm } from "./answer-form";
import { time } from "./format";
import { html, page, type Html } from "./html";

type Ready = Extract<RequestLinkView, { kind: "ready" }>;

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

/** GET of a live request link: the quoted terms and a form that approves them only when a person submits it. */
export function requestLinkReadyPage(v: Ready, action: string, message?: string): string {
  const name = v.request.name ?? v.request.id;
  return page(
    { title: `Approve capacity request ${name}` },
    html`<h1>Buy capacity for ${name}?</h1>
      ${message ? html`<div class="notice bad" role="alert">${message}</div>` : ""}
      <section class="card" aria-labelledby="terms-h">
        <h2 id="terms-h">What you are asked to approve</h2>
        ${requestSummary(v.claims, v)}
        <p>Approving covers exactly: ${describeRequestTerms(v.terms)}. Nothing else is bought with it.</p>
      </section>
      <section class="card" aria-labelledby="answer-h">
        <h2 id="answer-h">Your answer</h2>
        ${answerForm({
          action,
          csrf: v.csrf,
          required: false,
          approve: `Approve ${v.terms.maxUpfrontFee} ${v.terms.currency}`,
          confirm: "I have read the terms above and approve this one block only.",
        })}
        <p class="muted">Not now? Do nothing: the request keeps waiting. To stop it, use cbm request cancel.</p>
      </section>`,
  );
}
