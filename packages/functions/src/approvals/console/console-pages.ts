import { durationText, outlook, standingDenial, teamOf, timeLeftText, type Block, type BlockUsageView, type HistoryEvent } from "@cbm/core";
import type { PendingTerms } from "./console-use-cases";
import { budgetText, time, timeline, withTimes } from "../../platform/web/format";
import { html, page, type Html, type PageOptions } from "../../platform/web/html";
import { dataTable, type Column } from "../../platform/web/table";

/** What every signed-in page knows: where the console lives and the session's CSRF token. */
export interface ConsoleContext {
  base: string;
  csrf: string;
  actor: string;
  now: Date;
  /** The stage has no approver (no ADMIN_EMAIL): every page says that purchases are approved automatically. */
  autoApproval?: boolean;
}

/**
 * Said on every page, not in a setting: a person who believes they will be asked must learn that they will not
 * before CBM spends money without asking.
 */
function autoApprovalBanner(c: ConsoleContext): Html | string {
  if (!c.autoApproval) return "";
  return html`<div class="notice bad" role="alert">
    <p>
      <strong>Auto-approval is on.</strong> This stage was deployed without ADMIN_EMAIL, so no one can be asked: every purchase that needs
      approval (extensions and capacity requests) is approved automatically within its policy's caps. Redeploy with ADMIN_EMAIL to be asked
      instead.
    </p>
  </div>`;
}

/** The frame of every signed-in page: its title, the console's navigation, and the auto-approval banner when on. */
export function consoleFrame(c: ConsoleContext, title: string): PageOptions {
  return { title, nav: nav(c), banner: autoApprovalBanner(c) };
}

/** The console's navigation, on every signed-in page. */
export function nav(c: ConsoleContext): Html {
  return html`<nav aria-label="Console">
    <ul>
      <li><a href="${c.base}/console/blocks">Blocks</a></li>
      <li><a href="${c.base}/console/requests">Requests</a></li>
      <li><a href="${c.base}/console/spend">Spend</a></li>
      <li>
        <form method="post" action="${c.base}/console/signout">
          <input type="hidden" name="csrf" value="${c.csrf}" /><button type="submit">Sign out (${c.actor})</button>
        </form>
      </li>
    </ul>
  </nav>`;
}

function message(text: string | undefined, good = false): Html | string {
  return text ? html`<div class="notice ${good ? "good" : "bad"}" role="${good ? "status" : "alert"}">${withTimes(text)}</div>` : "";
}

/** Sign in with the API key; it is sent once, checked, and never stored in the browser (only a session's random id is). */
export function signInPage(action: string, error?: string): string {
  return page(
    { title: "Sign in" },
    html`<h1>Sign in to the console</h1>
      ${message(error)}
      <form method="post" action="${action}" class="card">
        <label for="apiKey">API key</label><input id="apiKey" name="apiKey" type="password" autocomplete="off" required />
        <label for="name">Your name <span class="muted">(recorded in history with what you do)</span></label
        ><input id="name" name="name" type="text" maxlength="40" autocomplete="name" />
        <div class="actions"><button type="submit" class="primary">Sign in</button></div>
        <p class="muted">
          The key is checked and forgotten: the browser keeps only a session id. The session ends when you sign out, after 30 idle minutes,
          and 8 hours after sign-in.
        </p>
      </form>`,
  );
}

function statusCell(b: Block, now: Date): Html {
  const o = outlook(b, now);
  return html`<span class="badge ${o.kind}">${b.status}</span><br /><span class="muted">${withTimes(o.text)}</span>`;
}

function blockRow(c: ConsoleContext, b: Block): Html {
  return html`<tr>
    <th scope="row">
      <a href="${c.base}/console/blocks/${encodeURIComponent(b.PK)}">${b.name ?? b.PK}</a><br /><span class="muted"
        >${b.instanceCount ?? "?"} × ${b.instanceType ?? "?"}, ${b.region}</span
      >
    </th>
    <td>${timeLeftText(b.endDate, c.now)}<br /><span class="muted">${time(b.endDate)}</span></td>
    <td>${statusCell(b, c.now)}</td>
    <td>${withTimes(b.statusReason) || "—"}</td>
    <td class="num">
      ${b.spent}
      ${b.policy.currency}${b.policy.budget ? html`<br /><span class="muted">of ${b.policy.budget} ${b.policy.currency}</span>` : ""}
    </td>
    <td>${teamOf(b)}</td>
  </tr>`;
}

const BLOCK_COLUMNS: Column[] = [
  { label: "Block" },
  { label: "Time left" },
  { label: "Status and what CBM does next" },
  { label: "Last decision" },
  { label: "Spent", num: true },
  { label: "Team" },
];

function blockTable(c: ConsoleContext, caption: string, blocks: Block[]): Html {
  return dataTable(
    caption,
    BLOCK_COLUMNS,
    blocks.map((b) => blockRow(c, b)),
  );
}

/** Blocks by urgency, pending approvals first. */
export function blocksPage(c: ConsoleContext, blocks: Block[]): string {
  const pending = blocks.filter((b) => b.status === "awaiting-approval");
  const rest = blocks.filter((b) => b.status !== "awaiting-approval");
  return page(
    consoleFrame(c, "Blocks"),
    html`<h1>Managed blocks</h1>
      <section class="card" aria-labelledby="pending-h">
        <h2 id="pending-h">Waiting for approval (${pending.length})</h2>
        ${pending.length
          ? blockTable(c, "Pending approvals, soonest end first", pending)
          : html`<p class="muted">Nothing waits for a person.</p>`}
      </section>
      <section class="card" aria-labelledby="all-h">
        <h2 id="all-h">All other blocks, most urgent first (${rest.length})</h2>
        ${blockTable(c, "Blocks by urgency", rest)}
      </section>`,
  );
}

function policyTable(b: Block): Html {
  const p = b.policy;
  const rows: [string, string][] = [
    ["Extend by", durationText(p.extendByDays * 24)],
    ["Acts from", `${p.lookaheadHours} h before the end`],
    ["Approval", p.requireApproval ? "required" : "not required"],
    ["Justification", p.requireJustification ? "required" : "optional"],
    ["Max fee per extension", p.maxUpfrontFee ? `${p.maxUpfrontFee} ${p.currency}` : "no cap"],
    ["Budget", budgetText(b)],
    ["Extend until", p.extendUntil ?? "—"],
    ["Max extensions", p.maxExtensions === undefined ? "—" : `${b.extensionsPurchased} of ${p.maxExtensions}`],
    ["Shorter fallback", p.allowShorterFallback ? "allowed" : "no"],
    ["Enabled", p.enabled ? "yes" : "paused"],
  ];
  return html`<table>
    <caption>
      Policy
    </caption>
    <tbody>
      ${rows.map(
        ([k, v]) =>
          html`<tr>
            <th scope="row">${k}</th>
            <td>${v}</td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

function decideForm(c: ConsoleContext, b: Block, pending: PendingTerms | undefined): Html {
  const action = `${c.base}/console/blocks/${encodeURIComponent(b.PK)}`;
  const required = b.policy.requireJustification === true;
  const pause = html`<form method="post" action="${action}/${b.policy.enabled ? "pause" : "resume"}">
    <input type="hidden" name="csrf" value="${c.csrf}" />
    <button type="submit">${b.policy.enabled ? "Pause this block (CBM neither asks nor buys)" : "Resume this block"}</button>
  </form>`;
  if (!pending)
    return html`<section class="card" aria-labelledby="act-h">
      <h2 id="act-h">Act</h2>
      <p class="muted">CBM is not asking for approval right now.</p>
      ${overridable(b) ? approveAheadForm(c, b, action, required) : ""} ${pause}
    </section>`;
  return html`<section class="card" aria-labelledby="act-h">
    <h2 id="act-h">Approve or deny</h2>
    <p>Approving covers exactly: ${withTimes(pending.words)}.</p>
    <form method="post" action="${action}/approve">
      <input type="hidden" name="csrf" value="${c.csrf}" /><input type="hidden" name="terms" value="${pending.digest}" />
      ${justificationField(required)}
      <div class="actions">
        <button type="submit" class="primary">Approve</button
        ><button type="submit" class="danger" formaction="${action}/deny">Deny this window</button>
      </div>
    </form>
    <div class="actions">${pause}</div>
  </section>`;
}

/** A denial (a person's, or CBM's idle skip) stands for the coming window: a person may override it by approving. */
function overridable(b: Block): boolean {
  return Boolean(standingDenial(b) && b.policy.enabled && !FINAL.has(b.status));
}
const FINAL: ReadonlySet<string> = new Set(["expired", "not-found", "not-owned", "not-extendable", "window-closed"]);

/** The approval's justification box, required when the block's policy says so (both approve forms). */
function justificationField(required: boolean): Html {
  return html`<label for="justification">Justification${required ? " (required by this block's policy)" : " (optional)"}</label>
    <textarea
      id="justification"
      name="justification"
      rows="2"
      maxlength="1000"
      ${required ? html`required aria-required="true"` : ""}
    ></textarea>`;
}

/** Approve in advance, named explicitly (`window=next`): the only approval the page offers when nothing is asked. */
function approveAheadForm(c: ConsoleContext, b: Block, action: string, required: boolean): Html {
  return html`<form method="post" action="${action}/approve">
    <input type="hidden" name="csrf" value="${c.csrf}" /><input type="hidden" name="window" value="next" />
    <p>
      ${b.denial!.by === "cbm:idle" ? "CBM skipped this window because the block is idle." : `${b.denial!.by} denied this window.`}
      Approving extends it anyway, in advance, within the policy's duration and max fee.
    </p>
    ${justificationField(required)}
    <div class="actions"><button type="submit" class="primary">Approve this window anyway</button></div>
  </form>`;
}

/** The block's sampled usage: instances running now, interconnect, idleness and the last 24 h. */
function usageCard(u: BlockUsageView | null): Html {
  const peak = Math.max(0, ...(u?.last24h.map((h) => h.maxRunning) ?? []));
  return html`<section class="card" aria-labelledby="usage-h">
    <h2 id="usage-h">Usage</h2>
    ${u
      ? html`<dl class="terms">
          <dt>Running</dt>
          <dd>${u.running} of ${u.total} (${u.state}) at ${time(u.at)}</dd>
          <dt>Interconnect</dt>
          <dd>${u.interconnect ? html`${u.interconnect.status} since ${time(u.interconnect.since)}` : "—"}</dd>
          <dt>Idle</dt>
          <dd>${u.idleSince ? html`since ${time(u.idleSince)} (${u.idleHours} h)` : "no"}</dd>
          <dt>Last 24 h</dt>
          <dd>${u.last24hInstanceHours} instance-hours, peak ${peak} running</dd>
        </dl>`
      : html`<p>Not sampled yet.</p>`}
  </section>`;
}

export function blockDetailPage(
  c: ConsoleContext,
  b: Block & { usage?: BlockUsageView | null },
  history: HistoryEvent[],
  pending: PendingTerms | undefined,
  note?: { text: string; good: boolean },
): string {
  const o = outlook(b, c.now);
  return page(
    consoleFrame(c, b.name ?? b.PK),
    html`<h1>${b.name ?? b.PK}</h1>
      ${note ? message(note.text, note.good) : ""}
      <section class="card" aria-labelledby="now-h">
        <h2 id="now-h">Now</h2>
        <dl class="terms">
          <dt>Status</dt>
          <dd><span class="badge ${o.kind}">${b.status}</span> ${withTimes(b.statusReason)}</dd>
          <dt>Next</dt>
          <dd>${withTimes(o.text)}</dd>
          <dt>End</dt>
          <dd>${time(b.endDate)} (${timeLeftText(b.endDate, c.now)} left)</dd>
          <dt>Reservation</dt>
          <dd>${b.capacityReservationId} in ${b.region}</dd>
          <dt>Instances</dt>
          <dd>${b.instanceCount ?? "?"} × ${b.instanceType ?? "?"}</dd>
          <dt>Team</dt>
          <dd>${teamOf(b)}</dd>
          <dt>Last approval</dt>
          <dd>${b.approval ? html`${b.approval.by} at ${time(b.approval.at)}` : "—"}</dd>
          ${b.denial
            ? html`<dt>Denied</dt>
                <dd>${b.denial.by} at ${time(b.denial.at)}, for the window ending ${time(b.denial.window)}</dd>`
            : ""}
        </dl>
      </section>
      ${b.usage !== undefined ? usageCard(b.usage) : ""} ${decideForm(c, b, pending)}
      <section class="card">${policyTable(b)}</section>
      <section class="card" aria-labelledby="tl-h">
        <h2 id="tl-h">Timeline</h2>
        ${timeline(history)}
      </section>`,
  );
}
