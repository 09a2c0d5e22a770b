import { compareMoney, subtractMoney, type Block, type HistoryEvent } from "@cbm/core";
import { html, type Html } from "./html";

/**
 * An instant in the pages' one format, "2031-07-03 11:30 UTC", with the same UTC text as its tooltip. The page script
 * (assets.ts) rewrites the text into the reader's own zone ("2031-07-03 17:00 IST") and keeps the UTC tooltip;
 * without the script the reader sees UTC. The API and `--json` keep ISO-8601.
 */
export function time(iso: string | null | undefined): Html | string {
  if (!iso) return "—";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const utc = `${d.toISOString().slice(0, 16).replace("T", " ")} UTC`;
  return html`<time datetime="${d.toISOString()}" title="${utc}">${utc}</time>`;
}

/** ISO-8601 instants inside a sentence (core's outlook and status texts name windows and next looks that way). */
const ISO_INSTANT = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})/g;

/** A sentence for a page, its ISO instants shown as time() shows them: one format in pages, never raw ISO. */
export function withTimes(text: string | null | undefined): Html | string {
  if (!text) return "";
  const parts: (Html | string)[] = [];
  let last = 0;
  for (const m of text.matchAll(ISO_INSTANT)) {
    parts.push(text.slice(last, m.index), time(m[0]));
    last = m.index + m[0].length;
  }
  if (last === 0) return text;
  parts.push(text.slice(last));
  return html`${parts}`;
}

/** "spent 1,200.00 of 5,000.00 USD, 3,800.00 left" in words; exact decimal strings, never floats. */
export function budgetText(block: Block): string {
  const cur = block.policy.currency;
  if (block.policy.budget === undefined) return `${block.spent} ${cur} spent; no budget set`;
  const left = compareMoney(block.policy.budget, block.spent) > 0 ? subtractMoney(block.policy.budget, block.spent) : "0";
  return `${block.spent} of ${block.policy.budget} ${cur} used; ${left} ${cur} left`;
}

/** The timeline: newest first, who did what. */
export function timeline(events: HistoryEvent[]): Html {
  if (events.length === 0) return html`<p class="muted">Nothing recorded yet.</p>`;
  return html`<ol class="timeline">
    ${events.map((e) => html`<li>${time(e.at)} · <strong>${e.type}</strong> by <code>${e.actor}</code><br />${withTimes(e.message)}</li>`)}
  </ol>`;
}
