import {
  describeTerms,
  durationText,
  isoAt,
  isRequestLink,
  timeLeftText,
  toMs,
  HOUR_MS,
  type AnyLinkClaims,
  type LinkClaims,
} from "@cbm/core";
import type { LinkView } from "./approval-links";
import type { AnyLinkOutcome, AnyLinkView } from "./links";
import { budgetText, time, timeline, withTimes } from "../../platform/web/format";
import { html, page, type Html } from "../../platform/web/html";
import { answerForm, askPage } from "./answer-form";
import { REQUEST_RESULT_TEXT, requestLinkReadyPage, requestSummary, type SubjectResultText } from "./request-link-pages";

type Ready = Extract<LinkView, { kind: "ready" }>;

function summary(c: LinkClaims, ready?: Ready, now?: Date): Html {
  const b = ready?.block;
  const newEnd = isoAt(toMs(c.window) + c.durationHours * HOUR_MS);
  return html`<dl class="terms">
    <dt>Block</dt>
    <dd>${b?.name ?? c.pk} <span class="muted">(${c.pk}, ${c.capacityReservationId}${b ? `, ${b.region}` : ""})</span></dd>
    ${b
      ? html`<dt>Instances</dt>
          <dd>${b.instanceCount ?? "?"} × ${b.instanceType ?? "?"}</dd>`
      : ""}
    <dt>Current end</dt>
    <dd>
      ${time(c.window)}${now
        ? html` <span class="muted">(${timeLeftText(c.window, now)} left; EC2 terminates instances from 30 min before)</span>`
        : ""}
    </dd>
    <dt>New end</dt>
    <dd>${time(newEnd)} <span class="muted">(+${durationText(c.durationHours)})</span></dd>
    <dt>Upfront fee</dt>
    <dd>${c.upfrontFee} ${c.currency} <span class="muted">(paid up front, no refund)</span></dd>
    ${b
      ? html`<dt>Budget</dt>
          <dd>${budgetText(b)}</dd>`
      : ""}
    <dt>Link for</dt>
    <dd>${c.to}, valid until ${time(c.expiresAt)}</dd>
  </dl>`;
}

/** The words of a block link's result pages; the frame and the titles are the family's (linkResultPage). */
const BLOCK_RESULT_TEXT: SubjectResultText = {
  expired: ", when CBM's window to buy this extension closed",
  approved: "Your approval is recorded. CBM buys the extension on its next check (about a minute) and e-mails when it is bought.",
  refused: "Your denial is recorded. CBM will not extend this block in this window.",
};

/** The pages of a link, by its subject: the one place that tells a block's link from a request's. */
function pagesOf(c: AnyLinkClaims): { summary: () => Html; text: SubjectResultText } {
  return isRequestLink(c)
    ? { summary: () => requestSummary(c), text: REQUEST_RESULT_TEXT }
    : { summary: () => summary(c), text: BLOCK_RESULT_TEXT };
}

/** The form page of a live link of either kind. */
export function anyLinkReadyPage(v: Extract<AnyLinkView, { kind: "ready" }>, action: string, now: Date, message?: string): string {
  return "request" in v ? requestLinkReadyPage(v, action, message) : linkReadyPage(v, action, now, message);
}

/** GET of a live link: the terms, the block's recent history, and a form that acts only when a person submits it. */
export function linkReadyPage(v: Ready, action: string, now: Date, message?: string): string {
  const required = v.block.policy.requireJustification === true;
  return askPage({
    title: `Approve extension of ${v.block.name ?? v.block.PK}`,
    heading: `Extend ${v.block.name ?? v.block.PK}?`,
    ...(message ? { message } : {}),
    summary: summary(v.claims, v, now),
    covers: describeTerms(v.terms),
    form: answerForm({
      action,
      csrf: v.csrf,
      required,
      approve: `Approve ${v.claims.upfrontFee} ${v.claims.currency}`,
      deny: "Deny this window",
      confirm: "I have read the terms above and answer for this window only.",
    }),
    after: html`<section class="card" aria-labelledby="hist-h">
      <h2 id="hist-h">Recent history</h2>
      ${timeline(v.recent)}
    </section>`,
  });
}

const TITLES: Record<Exclude<AnyLinkOutcome["kind"], "refused">, string> = {
  invalid: "This link is not valid",
  used: "This link was used already",
  expired: "This link has expired",
  superseded: "This link is out of date",
  retry: "Try again in a few minutes",
  done: "Thank you",
};

/** Every answer other than the form: what happened, or why the link changes nothing. */
export function linkResultPage(o: Exclude<AnyLinkOutcome, { kind: "refused" }> | Exclude<AnyLinkView, { kind: "ready" }>): string {
  const title = TITLES[o.kind];
  let text: Html;
  switch (o.kind) {
    case "invalid":
      text = html`<p>The link is incomplete or was altered. Copy the whole link from the e-mail, or use the newest notice.</p>`;
      break;
    case "used":
      text = html`<p>
        It was used to record <strong>${o.use.action}</strong> by ${o.use.by} at ${time(o.use.at)}. A link acts once; nothing was changed
        now.
      </p>`;
      break;
    case "expired":
      text = html`<p>It was valid until ${time(o.claims.expiresAt)}${pagesOf(o.claims).text.expired}. Nothing was changed.</p>`;
      break;
    case "superseded":
      // Named as such: the person may hold a newer notice, and this page must not read as a failure of CBM.
      text = html`<p>Nothing was changed: this link is superseded, as ${withTimes(o.reason)}.</p>`;
      break;
    case "retry":
      text = html`<p>Nothing was changed: ${withTimes(o.reason)}.</p>`;
      break;
    case "done":
      text = html`<p>${o.action === "approved" ? pagesOf(o.claims).text.approved : pagesOf(o.claims).text.refused}</p>`;
      break;
  }
  const good = o.kind === "done";
  return page(
    { title },
    html`<h1>${title}</h1>
      <div class="notice ${good ? "good" : "bad"}" role="${good ? "status" : "alert"}">${text}</div>
      ${"claims" in o
        ? html`<section class="card">
            <h2>The link</h2>
            ${pagesOf(o.claims).summary()}
          </section>`
        : ""}`,
  );
}
