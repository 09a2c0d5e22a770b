/**
 * RFC 4180 CSV: a header line, CRLF line ends, a cell quoted when it holds a quote, comma or line break. A cell that a
 * spreadsheet would run as a formula (= + - @, tab, carriage return first) gets a leading apostrophe, so it stays text.
 */
export function toCsv<T extends object, K extends keyof T & string>(columns: readonly K[], rows: readonly T[]): string {
  const cell = (v: unknown): string => {
    const raw = v === undefined || v === null ? "" : String(v);
    const s = /^[=+\-@\t\r]/.test(raw) ? `'${raw}` : raw;
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [columns.join(","), ...rows.map((r) => columns.map((c) => cell(r[c])).join(","))].join("\r\n") + "\r\n";
}
