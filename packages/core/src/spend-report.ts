import * as z from "zod";
import type { Block } from "./block";
import type { CapacityRequest, RequestPurchase } from "./capacity-request";
import type { HistoryEvent } from "./history";
import { toCsv } from "./csv";
import { addMoney, compareMoney } from "./money";
import { pricePerInstanceHour } from "./offerings";
import { Money } from "./policy";
import { HOUR_MS, toMs } from "./time";

/*
 * The one spend computation: the console's spend page and CSV, GET /reports/spend and `cbm report` all show it.
 * Every figure is a sum of the same purchases (new blocks bought for capacity requests, extensions CBM bought), so
 * the totals per month, per block, per team and overall always agree.
 */

/** The tag that books a block's spend to a team. */
export const TEAM_TAG = "team";
/** Spend of a block with no team tag is booked here, so every amount is in some team's row. */
export const NO_TEAM = "(no team)";

/**
 * A payment's outcome: `failed` costs nothing (EC2 charges nothing and CBM takes the fee off the budget); `pending`
 * counts, as it does against the budget.
 */
export const PaymentStatus = z.enum(["paid", "pending", "failed"]);
export type PaymentStatus = z.infer<typeof PaymentStatus>;

/** One purchase CBM made: a new block for a capacity request, or an extension of a managed block. */
export const SpendPurchase = z.object({
  kind: z.enum(["block", "extension"]),
  /** UTC month of the purchase, `YYYY-MM`: EC2 bills the upfront fee in the month of purchase. */
  month: z.string(),
  purchasedAt: z.string(),
  pk: z.string(),
  name: z.string(),
  team: z.string(),
  capacityReservationId: z.string(),
  offeringId: z.string(),
  durationHours: z.number(),
  /** The fee exactly as stored (a decimal string). */
  upfrontFee: Money,
  currency: z.string(),
  status: PaymentStatus,
});
export type SpendPurchase = z.infer<typeof SpendPurchase>;

/** One block's spend in one currency (a block whose purchases were in two currencies has two rows). */
export const BlockSpend = z.object({
  pk: z.string(),
  name: z.string().optional(),
  team: z.string(),
  capacityReservationId: z.string(),
  instanceType: z.string().optional(),
  instanceCount: z.number().optional(),
  /** instanceCount × (end − start) in hours, when EC2 told CBM both. */
  reservedInstanceHours: z.number().optional(),
  /** Instance-hours that ran, from the usage samples kept, when sampled. */
  usedInstanceHours: z.number().optional(),
  /** What a capacity request paid for the block itself. */
  blockFee: Money,
  /** Extensions paid or pending. */
  extensionSpend: Money,
  total: Money,
  currency: z.string(),
  /** total ÷ instance-hours CBM bought (never hours whose fee it did not see), 6 decimals; absent if none. */
  pricePerInstanceHour: z.string().optional(),
});
export type BlockSpend = z.infer<typeof BlockSpend>;

export const MonthSpend = z.object({ month: z.string(), currency: z.string(), newBlocks: Money, extensions: Money, total: Money });
export type MonthSpend = z.infer<typeof MonthSpend>;

export const TeamSpend = z.object({ team: z.string(), currency: z.string(), total: Money, reservedInstanceHours: z.number() });
export type TeamSpend = z.infer<typeof TeamSpend>;

export const SpendTotal = z.object({ currency: z.string(), total: Money, reservedInstanceHours: z.number() });
export type SpendTotal = z.infer<typeof SpendTotal>;

export const SpendReport = z.object({
  /** Every purchase, newest first, failed payments included (and marked). */
  purchases: z.array(SpendPurchase),
  blocks: z.array(BlockSpend),
  months: z.array(MonthSpend),
  teams: z.array(TeamSpend),
  totals: z.array(SpendTotal),
});
export type SpendReport = z.infer<typeof SpendReport>;

/** What the report is computed from: CBM's own records, never EC2's bill. */
export interface SpendInput {
  blocks: readonly Block[];
  /** Each managed block's history by PK, any order: its `purchased` and payment events. */
  histories: ReadonlyMap<string, readonly HistoryEvent[]>;
  requests: readonly CapacityRequest[];
  /** Used instance-hours by PK, from the usage samples. */
  usedInstanceHours?: ReadonlyMap<string, number>;
}

/**
 * Whether a block's history can hold an extension CBM bought: every purchase marks its window as bought
 * (`lastPurchaseWindow`, kept across registrations), and spend or extensions counted say so too. The spend report
 * reads the history of these blocks only.
 */
export function mayHaveBought(block: Pick<Block, "lastPurchaseWindow" | "extensionsPurchased" | "spent">): boolean {
  return Boolean(block.lastPurchaseWindow) || block.extensionsPurchased > 0 || compareMoney(block.spent, "0") > 0;
}

/** The team a block's spend is booked to: its own `team` tag, else that of the capacity request that bought it. */
export function teamOf(block: Pick<Block, "tags"> | undefined, boughtBy?: Pick<CapacityRequest, "tags">): string {
  return block?.tags?.[TEAM_TAG]?.trim() || boughtBy?.tags?.[TEAM_TAG]?.trim() || NO_TEAM;
}

interface PurchasedData {
  extension?: { offeringId?: string; upfrontFee?: string; currencyCode?: string; durationHours?: number; purchaseDate?: string };
}

/**
 * The extensions in one block's history, each marked paid, pending or failed from the payment events that followed
 * it. An extension bought outside CBM has no `purchased` event and is not CBM's spend.
 */
function extensionPurchases(block: Block, events: readonly HistoryEvent[], team: string): SpendPurchase[] {
  const outcome = new Map<string, PaymentStatus>();
  for (const e of events) {
    const offeringId = typeof e.data?.offeringId === "string" ? e.data.offeringId : undefined;
    if (!offeringId || e.data?.external === true) continue;
    if (e.type === "payment-succeeded") outcome.set(offeringId, "paid");
    if (e.type === "payment-failed") outcome.set(offeringId, "failed");
  }
  const out: SpendPurchase[] = [];
  const seen = new Set<string>();
  for (const e of events) {
    const x = e.type === "purchased" ? (e.data as PurchasedData | undefined)?.extension : undefined;
    if (!x?.offeringId || !x.upfrontFee || !x.currencyCode || seen.has(x.offeringId)) continue;
    seen.add(x.offeringId);
    const purchasedAt = x.purchaseDate ?? e.at;
    out.push({
      kind: "extension",
      month: purchasedAt.slice(0, 7),
      purchasedAt,
      pk: block.PK,
      name: block.name ?? block.PK,
      team,
      capacityReservationId: block.capacityReservationId,
      offeringId: x.offeringId,
      durationHours: x.durationHours ?? 0,
      upfrontFee: x.upfrontFee,
      currency: x.currencyCode,
      status: outcome.get(x.offeringId) ?? "pending",
    });
  }
  return out;
}

/** The block a capacity request bought, booked to the managed block that holds the reservation now, if any. */
function blockPurchase(request: CapacityRequest, p: RequestPurchase, managedBy: Block | undefined): SpendPurchase {
  const pk = managedBy?.PK ?? request.registeredPk ?? p.capacityReservationId;
  return {
    kind: "block",
    month: p.purchasedAt.slice(0, 7),
    purchasedAt: p.purchasedAt,
    pk,
    name: managedBy?.name ?? request.name ?? pk,
    team: teamOf(managedBy, request),
    capacityReservationId: p.capacityReservationId,
    offeringId: p.offeringId,
    durationHours: Math.round((toMs(p.endDate) - toMs(p.startDate)) / HOUR_MS),
    upfrontFee: p.upfrontFee,
    currency: p.currency,
    status: p.state === "payment-failed" ? "failed" : p.state === "payment-pending" ? "pending" : "paid",
  };
}

/** The capacity request that bought each reservation. */
function buyers(requests: readonly CapacityRequest[]): Map<string, CapacityRequest> {
  return new Map(requests.flatMap((r) => (r.purchase ? [[r.purchase.capacityReservationId, r] as const] : [])));
}

/** Every purchase of the blocks and requests given, newest first. */
export function spendPurchases(input: Omit<SpendInput, "usedInstanceHours">): SpendPurchase[] {
  const byReservation = new Map(input.blocks.map((b) => [b.capacityReservationId, b]));
  const boughtBy = buyers(input.requests);
  const out: SpendPurchase[] = [];
  for (const r of boughtBy.values())
    if (r.purchase) out.push(blockPurchase(r, r.purchase, byReservation.get(r.purchase.capacityReservationId)));
  for (const b of input.blocks)
    out.push(...extensionPurchases(b, input.histories.get(b.PK) ?? [], teamOf(b, boughtBy.get(b.capacityReservationId))));
  return out.sort(
    (a, b) => b.purchasedAt.localeCompare(a.purchasedAt) || a.pk.localeCompare(b.pk) || a.offeringId.localeCompare(b.offeringId),
  );
}

function reservedHours(b: Block): number | undefined {
  if (!b.startDate || !b.endDate || !b.instanceCount) return undefined;
  return Math.max(0, Math.round((toMs(b.endDate) - toMs(b.startDate)) / HOUR_MS)) * b.instanceCount;
}

/** A managed block's row in its policy's currency, before its purchases are added. */
function managedRow(b: Block, team: string, used: number | undefined): BlockSpend {
  const hours = reservedHours(b);
  return {
    pk: b.PK,
    ...(b.name ? { name: b.name } : {}),
    team,
    capacityReservationId: b.capacityReservationId,
    ...(b.instanceType ? { instanceType: b.instanceType } : {}),
    ...(b.instanceCount ? { instanceCount: b.instanceCount } : {}),
    ...(hours !== undefined ? { reservedInstanceHours: hours } : {}),
    ...(used !== undefined ? { usedInstanceHours: used } : {}),
    blockFee: "0",
    extensionSpend: "0",
    total: "0",
    currency: b.policy.currency,
  };
}

/** One row per block and currency: every managed block, and any block bought for a request that no block manages now. */
function blockRows(input: SpendInput, counted: readonly SpendPurchase[]): BlockSpend[] {
  const rows = new Map<string, BlockSpend>();
  const boughtBy = buyers(input.requests);
  for (const b of input.blocks) {
    const team = teamOf(b, boughtBy.get(b.capacityReservationId));
    rows.set(`${b.PK}|${b.policy.currency}`, managedRow(b, team, input.usedInstanceHours?.get(b.PK)));
  }
  const boughtHours = new Map<string, number>();
  for (const p of counted) {
    const key = `${p.pk}|${p.currency}`;
    boughtHours.set(key, (boughtHours.get(key) ?? 0) + p.durationHours);
    let row = rows.get(key);
    if (!row) {
      row = {
        pk: p.pk,
        name: p.name,
        team: p.team,
        capacityReservationId: p.capacityReservationId,
        blockFee: "0",
        extensionSpend: "0",
        total: "0",
        currency: p.currency,
      };
      rows.set(key, row);
    }
    if (p.kind === "block") row.blockFee = addMoney(row.blockFee, p.upfrontFee);
    else row.extensionSpend = addMoney(row.extensionSpend, p.upfrontFee);
    row.total = addMoney(row.total, p.upfrontFee);
  }
  return [...rows.entries()].map(([key, r]) => {
    const hours = (boughtHours.get(key) ?? 0) * (r.instanceCount ?? 0);
    return hours > 0 && compareMoney(r.total, "0") > 0 ? { ...r, pricePerInstanceHour: pricePerInstanceHour(r.total, 1, hours) } : r;
  });
}

/** Folds the rows into one accumulator per `keyOf`, in order of first appearance. */
function groupBy<T, R>(rows: readonly T[], keyOf: (t: T) => string, empty: (t: T) => R, add: (acc: R, t: T) => void): R[] {
  const groups = new Map<string, R>();
  for (const t of rows) {
    const key = keyOf(t);
    let acc = groups.get(key);
    if (!acc) groups.set(key, (acc = empty(t)));
    add(acc, t);
  }
  return [...groups.values()];
}

/**
 * Spend per purchase, block, month and team, from CBM's own records: the capacity requests' purchases (new blocks)
 * and the blocks' `purchased` history events (extensions), paid or pending; failed payments are listed but cost
 * nothing. Money is added exactly and never across currencies. The blocks' `spent` is not used: it is the budget's
 * counter, which POST /{PK}/reset-spend zeroes, while this reports what was paid.
 */
export function spendReport(input: SpendInput): SpendReport {
  const purchases = spendPurchases(input);
  const counted = purchases.filter((p) => p.status !== "failed");
  const blocks = blockRows(input, counted);
  const months = groupBy(
    counted,
    (p) => `${p.month}|${p.currency}`,
    (p): MonthSpend => ({ month: p.month, currency: p.currency, newBlocks: "0", extensions: "0", total: "0" }),
    (m, p) => {
      if (p.kind === "block") m.newBlocks = addMoney(m.newBlocks, p.upfrontFee);
      else m.extensions = addMoney(m.extensions, p.upfrontFee);
      m.total = addMoney(m.total, p.upfrontFee);
    },
  );
  const sumInto = (acc: { total: string; reservedInstanceHours: number }, b: BlockSpend) => {
    acc.total = addMoney(acc.total, b.total);
    acc.reservedInstanceHours += b.reservedInstanceHours ?? 0;
  };
  const teams = groupBy(
    blocks,
    (b) => `${b.team}|${b.currency}`,
    (b): TeamSpend => ({ team: b.team, currency: b.currency, total: "0", reservedInstanceHours: 0 }),
    sumInto,
  );
  const totals = groupBy(
    blocks,
    (b) => b.currency,
    (b): SpendTotal => ({ currency: b.currency, total: "0", reservedInstanceHours: 0 }),
    sumInto,
  );
  return {
    purchases,
    blocks: blocks.sort((a, b) => compareMoney(b.total, a.total) || a.pk.localeCompare(b.pk) || a.currency.localeCompare(b.currency)),
    months: months.sort((a, b) => a.month.localeCompare(b.month) || a.currency.localeCompare(b.currency)),
    teams: teams.sort((a, b) => compareMoney(b.total, a.total) || a.team.localeCompare(b.team) || a.currency.localeCompare(b.currency)),
    totals: totals.sort((a, b) => a.currency.localeCompare(b.currency)),
  };
}

const CSV_COLUMNS = {
  blocks: [
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
  ],
  purchases: [
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
    "kind",
  ],
} as const satisfies { blocks: readonly (keyof BlockSpend)[]; purchases: readonly (keyof SpendPurchase)[] };

/**
 * The report as CSV for spreadsheets: one row per block (`cbm report --csv`, GET /reports/spend?format=csv) or per
 * purchase (the console's download). Amounts stay exact decimal strings, as stored.
 */
export function spendCsv(report: SpendReport, rows: keyof typeof CSV_COLUMNS): string {
  return rows === "blocks" ? toCsv(CSV_COLUMNS.blocks, report.blocks) : toCsv(CSV_COLUMNS.purchases, report.purchases);
}
