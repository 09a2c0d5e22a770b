import { compareMoney, subtractMoney, type Block, type HistoryEvent } from "@cbm/core";
import { html, type Html } from "./html";

/** An instant as UTC text, with a machine-readable datetime the page script turns into a local-time tooltip. */
export function time(iso: string | null | undefined): Html | string {
  if (!iso) return "—";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return html`<time datetime="${d.toISOString()}">${d.toISOString().slice(0, 16).replace("T", " ")} UTC</time>`;
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
    ${events.map((e) => html`<li>${time(e.at)} · <strong>${e.type}</strong> by <code>${e.actor}</code><br />${e.message}</li>`)}
  </ol>`;
}
