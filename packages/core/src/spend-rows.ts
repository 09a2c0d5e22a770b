import type { Block } from "./block";
import type { HistoryEvent } from "./history";
import { addMoney } from "./money";

/** One extension CBM bought, as its history recorded it; `status` follows the payment (failed fees are not spent). */
export interface SpendRow {
  /** UTC month of the purchase, `YYYY-MM`: EC2 bills the upfront fee in the month of purchase. */
  month: string;
  purchasedAt: string;
  pk: string;
  name: string;
  team: string;
  capacityReservationId: string;
  offeringId: string;
  durationHours: number;
  /** The fee exactly as stored (a decimal string). */
  upfrontFee: string;
  currency: string;
  status: "paid" | "pending" | "failed";
}

/** Totals per group and currency, as exact decimal strings. Failed payments are left out. */
export interface SpendTotals {
  byMonth: Record<string, Record<string, string>>;
  byBlock: Record<string, Record<string, string>>;
  byTeam: Record<string, Record<string, string>>;
}

/** The team a block's spend is booked to: its `team` tag, or "(no team)". */
export function teamOf(block: Pick<Block, "tags">): string {
  return block.tags?.team?.trim() || "(no team)";
}

interface PurchasedData {
  extension?: { offeringId?: string; upfrontFee?: string; currencyCode?: string; durationHours?: number; purchaseDate?: string };
}

/**
 * The purchases in one block's history (any order), each marked paid, pending or failed from the payment events
 * that followed it. An extension bought outside CBM has no `purchased` event and is not CBM's spend.
 */
export function spendRows(block: Block, events: HistoryEvent[]): SpendRow[] {
  const outcome = new Map<string, "paid" | "failed">();
  for (const e of events) {
    const offeringId = typeof e.data?.offeringId === "string" ? e.data.offeringId : undefined;
    if (!offeringId || e.data?.external === true) continue;
    if (e.type === "payment-succeeded") outcome.set(offeringId, "paid");
    if (e.type === "payment-failed") outcome.set(offeringId, "failed");
  }
  const rows: SpendRow[] = [];
  const seen = new Set<string>();
  for (const e of events) {
    if (e.type !== "purchased") continue;
    const x = (e.data as PurchasedData | undefined)?.extension;
    if (!x?.offeringId || !x.upfrontFee || !x.currencyCode || seen.has(x.offeringId)) continue;
    seen.add(x.offeringId);
    const purchasedAt = x.purchaseDate ?? e.at;
    rows.push({
      month: purchasedAt.slice(0, 7),
      purchasedAt,
      pk: block.PK,
      name: block.name ?? block.PK,
      team: teamOf(block),
      capacityReservationId: block.capacityReservationId,
      offeringId: x.offeringId,
      durationHours: x.durationHours ?? 0,
      upfrontFee: x.upfrontFee,
      currency: x.currencyCode,
      status: outcome.get(x.offeringId) ?? "pending",
    });
  }
  return rows;
}

/** Sums rows per month, block and team, per currency, exactly; failed payments cost nothing. */
export function spendTotals(rows: SpendRow[]): SpendTotals {
  const totals: SpendTotals = { byMonth: {}, byBlock: {}, byTeam: {} };
  const add = (bucket: Record<string, Record<string, string>>, key: string, r: SpendRow) => {
    const perCurrency = (bucket[key] ??= {});
    perCurrency[r.currency] = addMoney(perCurrency[r.currency] ?? "0", r.upfrontFee);
  };
  for (const r of rows) {
    if (r.status === "failed") continue;
    add(totals.byMonth, r.month, r);
    add(totals.byBlock, r.pk, r);
    add(totals.byTeam, r.team, r);
  }
  return totals;
}

/** RFC 4180 CSV of the rows, amounts exactly as stored; a cell that a spreadsheet would run as a formula is quoted with a leading apostrophe. */
export function spendRowsCsv(rows: SpendRow[]): string {
  const header = [
    "month",
    "purchasedAt",
    "pk",
    "name",
    "team",
    "capacityReservationId",
    "offeringId",
    "durationHours",
    "upfrontFee",
    "currency",
    "status",
  ];
  const cell = (v: string | number) => {
    let s = String(v);
    if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const lines = rows.map((r) =>
    [
      r.month,
      r.purchasedAt,
      r.pk,
      r.name,
      r.team,
      r.capacityReservationId,
      r.offeringId,
      r.durationHours,
      r.upfrontFee,
      r.currency,
      r.status,
    ]
      .map(cell)
      .join(","),
  );
  return [header.join(","), ...lines].join("\r\n") + "\r\n";
}
