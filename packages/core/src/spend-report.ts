import type { Block } from "./block";
import type { CapacityRequest } from "./capacity-request";
import { addMoney, compareMoney } from "./money";
import { pricePerInstanceHour } from "./offerings";
import { HOUR_MS, toMs } from "./time";

/** One extension purchase as the block's history records it ("purchased" events). */
export interface ExtensionPurchase {
  pk: string;
  at: string;
  upfrontFee: string;
  currency: string;
}

export interface BlockSpend {
  pk: string;
  name?: string;
  team: string;
  capacityReservationId: string;
  instanceType?: string;
  instanceCount?: number;
  /** instanceCount × (end − start) in hours, when EC2 told CBM both. */
  reservedInstanceHours?: number;
  /** What a capacity request paid for the block itself. */
  blockFee: string;
  /** Extensions paid or pending (the block's `spent`). */
  extensionSpend: string;
  total: string;
  currency: string;
  /** total ÷ reservedInstanceHours, 6 decimals. */
  pricePerInstanceHour?: string;
  /** Instance-hours that ran, from the usage samples kept (two weeks), when sampled. */
  usedInstanceHours?: number;
}

export interface MonthSpend {
  /** `YYYY-MM` (UTC) of the purchase. */
  month: string;
  currency: string;
  newBlocks: string;
  extensions: string;
  total: string;
}

export interface TeamSpend {
  team: string;
  currency: string;
  total: string;
  reservedInstanceHours: number;
}

export interface SpendReport {
  blocks: BlockSpend[];
  months: MonthSpend[];
  teams: TeamSpend[];
  totals: { currency: string; total: string; reservedInstanceHours: number }[];
}

/** Blocks with no team tag are reported under this name, so every amount is in some team's row. */
export const UNTAGGED = "(untagged)";

function monthOf(iso: string): string {
  return iso.slice(0, 7);
}

/**
 * Spend per block, per month and per team, from CBM's own records: the blocks' `spent` (extensions, paid or
 * pending), the capacity requests' purchases (new blocks), and the history's purchase events for the month of each
 * extension. A block's team is the `team` tag its request gave it. Money is added exactly; a figure is never mixed
 * across currencies.
 */
export function spendReport(input: {
  blocks: readonly Block[];
  requests: readonly CapacityRequest[];
  extensionPurchases: readonly ExtensionPurchase[];
  teamTag?: string;
  usedInstanceHours?: ReadonlyMap<string, number>;
}): SpendReport {
  const teamTag = input.teamTag ?? "team";
  const boughtBy = new Map<string, CapacityRequest>();
  for (const r of input.requests)
    if (r.purchase && r.purchase.state !== "payment-failed") boughtBy.set(r.purchase.capacityReservationId, r);

  const blocks: BlockSpend[] = input.blocks.map((b) => {
    const req = boughtBy.get(b.capacityReservationId);
    const blockFee = req?.purchase && req.purchase.currency === b.policy.currency ? req.purchase.upfrontFee : "0";
    const total = addMoney(blockFee, b.spent);
    const hours =
      b.startDate && b.endDate && b.instanceCount
        ? Math.max(0, Math.round((toMs(b.endDate) - toMs(b.startDate)) / HOUR_MS)) * b.instanceCount
        : undefined;
    return {
      pk: b.PK,
      ...(b.name ? { name: b.name } : {}),
      team: req?.tags?.[teamTag] ?? UNTAGGED,
      capacityReservationId: b.capacityReservationId,
      ...(b.instanceType ? { instanceType: b.instanceType } : {}),
      ...(b.instanceCount ? { instanceCount: b.instanceCount } : {}),
      ...(hours !== undefined ? { reservedInstanceHours: hours } : {}),
      blockFee,
      extensionSpend: b.spent,
      total,
      currency: b.policy.currency,
      ...(hours ? { pricePerInstanceHour: pricePerInstanceHour(total, 1, hours) } : {}),
      ...(input.usedInstanceHours?.has(b.PK) ? { usedInstanceHours: input.usedInstanceHours.get(b.PK)! } : {}),
    };
  });

  const months = new Map<string, MonthSpend>();
  const month = (m: string, currency: string) => {
    const key = `${m}|${currency}`;
    let row = months.get(key);
    if (!row) months.set(key, (row = { month: m, currency, newBlocks: "0", extensions: "0", total: "0" }));
    return row;
  };
  for (const r of boughtBy.values()) {
    const row = month(monthOf(r.purchase!.purchasedAt), r.purchase!.currency);
    row.newBlocks = addMoney(row.newBlocks, r.purchase!.upfrontFee);
    row.total = addMoney(row.total, r.purchase!.upfrontFee);
  }
  for (const e of input.extensionPurchases) {
    const row = month(monthOf(e.at), e.currency);
    row.extensions = addMoney(row.extensions, e.upfrontFee);
    row.total = addMoney(row.total, e.upfrontFee);
  }

  const teams = new Map<string, TeamSpend>();
  const totals = new Map<string, { currency: string; total: string; reservedInstanceHours: number }>();
  for (const b of blocks) {
    const t = teams.get(`${b.team}|${b.currency}`) ?? { team: b.team, currency: b.currency, total: "0", reservedInstanceHours: 0 };
    t.total = addMoney(t.total, b.total);
    t.reservedInstanceHours += b.reservedInstanceHours ?? 0;
    teams.set(`${b.team}|${b.currency}`, t);
    const all = totals.get(b.currency) ?? { currency: b.currency, total: "0", reservedInstanceHours: 0 };
    all.total = addMoney(all.total, b.total);
    all.reservedInstanceHours += b.reservedInstanceHours ?? 0;
    totals.set(b.currency, all);
  }
  return {
    blocks: blocks.sort((a, b) => compareMoney(b.total, a.total) || a.pk.localeCompare(b.pk)),
    months: [...months.values()].sort((a, b) => a.month.localeCompare(b.month) || a.currency.localeCompare(b.currency)),
    teams: [...teams.values()].sort((a, b) => compareMoney(b.total, a.total) || a.team.localeCompare(b.team)),
    totals: [...totals.values()],
  };
}

/** The blocks of a report as CSV (RFC 4180 quoting), for spreadsheets; amounts stay exact decimal strings. */
export function spendCsv(report: SpendReport): string {
  const cols = [
    "pk",
    "name",
    "team",
    "capacityReservationId",
    "instanceType",
    "instanceCount",
    "reservedInstanceHours",
    "usedInstanceHours",
    "blockFee",
    "extensionSpend",
    "total",
    "currency",
    "pricePerInstanceHour",
  ] as const;
  const cell = (v: unknown) => {
    const raw = v === undefined ? "" : String(v);
    // A name starting with = + - @ would run as a formula in a spreadsheet: keep it text.
    const s = /^[=+\-@]/.test(raw) ? `'${raw}` : raw;
    return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [cols.join(","), ...report.blocks.map((b) => cols.map((c) => cell(b[c])).join(","))].join("\n") + "\n";
}
