import { toCsv } from "@cbm/core";
import { fmt, median, printTable } from "./table";

/**
 * The cost of writing CSV with csv-stringify (core's toCsv now) against the hand-written writer it replaced, on
 * spend-report-sized input (the report caps at 2,000 blocks; the console's export has a row per purchase). Each row
 * is the median of `runs` writes. The old writer is kept here only as the baseline; it did not quote `;`.
 */
function formerToCsv<T extends object, K extends keyof T & string>(columns: readonly K[], rows: readonly T[]): string {
  const cell = (v: unknown): string => {
    const raw = v === undefined || v === null ? "" : String(v);
    const s = /^[=+\-@\t\r]/.test(raw) ? `'${raw}` : raw;
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [columns.join(","), ...rows.map((r) => columns.map((c) => cell(r[c])).join(","))].join("\r\n") + "\r\n";
}

const COLUMNS = [
  "pk",
  "team",
  "month",
  "kind",
  "offeringId",
  "upfrontFee",
  "currency",
  "status",
  "startDate",
  "endDate",
  "durationHours",
  "note",
] as const;
type Row = Record<(typeof COLUMNS)[number], string>;

function rows(n: number): Row[] {
  return Array.from({ length: n }, (_, i) => ({
    pk: `block-${i}`,
    team: i % 7 === 0 ? "t;@SUM(1)" : `team-${i % 13}`,
    month: "2031-05",
    kind: i % 3 ? "extension" : "block",
    offeringId: `cbe-${i.toString(16).padStart(17, "0")}`,
    upfrontFee: `${1000 + i}.27`,
    currency: "USD",
    status: "payment-succeeded",
    startDate: "2031-05-05T11:30:00.000Z",
    endDate: "2031-05-06T11:30:00.000Z",
    durationHours: "24",
    note: i % 11 === 0 ? 'said "hi", twice' : "",
  }));
}

function timeMs(write: () => string, runs: number): { ms: number; bytes: number } {
  let bytes = 0;
  const samples: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t = performance.now();
    bytes = write().length;
    samples.push(performance.now() - t);
  }
  return { ms: median(samples), bytes };
}

export async function benchCsv(runs = 15) {
  const out: Array<Record<string, string | number>> = [];
  for (const n of [100, 2_000, 20_000]) {
    const input = rows(n);
    const former = timeMs(() => formerToCsv(COLUMNS, input), runs);
    const now = timeMs(() => toCsv(COLUMNS, input), runs);
    out.push({
      rows: n,
      "hand-written ms": fmt(former.ms, 2),
      "csv-stringify ms": fmt(now.ms, 2),
      ratio: fmt(now.ms / former.ms, 1),
      "bytes (csv-stringify)": now.bytes,
    });
  }
  printTable("CSV writers, median of 15 writes (12 columns)", out);
}
