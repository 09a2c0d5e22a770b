import { durationText, type CapacityRequest } from "@cbm/core";
import { consoleFrame, type ConsoleContext } from "./console-pages";
import { time, withTimes } from "../../platform/web/format";
import { html, page, type Html } from "../../platform/web/html";
import { dataTable, type Column } from "../../platform/web/table";

/** Statuses in which a person may still decline (cancel) the request. */
const OPEN = new Set(["open", "searching", "awaiting-approval", "approved"]);

function quoteText(r: CapacityRequest): Html | string {
  const q = r.quote;
  if (r.purchase) return html`bought ${r.purchase.capacityReservationId} for ${r.purchase.upfrontFee} ${r.purchase.currency}`;
  if (!q) return "—";
  return html`${q.upfrontFee} ${q.currencyCode} · ${q.instanceCount} × ${q.instanceType} in ${q.availabilityZone}, ${time(q.startDate)} →
  ${time(q.endDate)}`;
}

function actions(c: ConsoleContext, r: CapacityRequest): Html | string {
  const action = `${c.base}/console/requests/${encodeURIComponent(r.id)}`;
  const csrf = html`<input type="hidden" name="csrf" value="${c.csrf}" />`;
  const approve =
    r.status === "awaiting-approval"
      ? html`<form method="post" action="${action}/approve">
          ${csrf}<button type="submit" class="primary" aria-label="Approve ${r.name ?? r.id}">Approve</button>
        </form>`
      : "";
  const decline = OPEN.has(r.status)
    ? html`<form method="post" action="${action}/decline">
        ${csrf}<button type="submit" class="danger" aria-label="Decline ${r.name ?? r.id}">Decline</button>
      </form>`
    : "";
  return approve || decline ? html`<div class="actions">${approve}${decline}</div>` : "—";
}

function requestRow(c: ConsoleContext, r: CapacityRequest): Html {
  const w = r.wanted;
  return html`<tr>
    <th scope="row">${r.name ?? r.id}<br /><span class="muted">${r.id}</span></th>
    <td>
      ${w.instanceCount} × ${w.instanceType} for ${durationText(w.durationHours)}<br /><span class="muted"
        >starting ${time(w.earliestStart)} – ${time(w.latestStart)}</span
      >
    </td>
    <td>${r.status}<br /><span class="muted">${withTimes(r.statusReason)}</span></td>
    <td>${quoteText(r)}</td>
    <td>${actions(c, r)}</td>
  </tr>`;
}

const COLUMNS: Column[] = [{ label: "Request" }, { label: "Wants" }, { label: "Status" }, { label: "Quote or purchase" }, { label: "Act" }];

/** Capacity requests, those waiting for a person first, with Approve (the exact quote) and Decline (cancel). */
export function requestsPage(c: ConsoleContext, requests: CapacityRequest[], note?: { text: string; good: boolean }): string {
  const sorted = [...requests].sort((a, b) => Number(b.status === "awaiting-approval") - Number(a.status === "awaiting-approval"));
  return page(
    consoleFrame(c, "Capacity requests"),
    html`<h1>Capacity requests</h1>
      ${note
        ? html`<div class="notice ${note.good ? "good" : "bad"}" role="${note.good ? "status" : "alert"}">${withTimes(note.text)}</div>`
        : ""}
      <section class="card">
        ${sorted.length
          ? dataTable(
              "Capacity requests, waiting for approval first",
              COLUMNS,
              sorted.map((r) => requestRow(c, r)),
            )
          : html`<p class="muted">No capacity requests. Open one with <code>cbm request add</code>.</p>`}
      </section>`,
  );
}
