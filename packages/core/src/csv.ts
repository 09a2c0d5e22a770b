import { stringify } from "csv-stringify/sync";
import { escapeUnsafeText } from "./safe-text";

/**
 * Every CSV CBM writes (the spend report, the console's export), by csv-stringify (pure, no I/O): RFC 4180 with CRLF
 * line ends and a header line. A cell is quoted when it holds a quote, a comma, a line break or a semicolon, since
 * spreadsheets in many locales split on `;` and `x;=cmd` would otherwise become a formula cell of its own. A cell a
 * spreadsheet would run as a formula (= + - @, tab or carriage return first, or their full-width forms) gets a
 * leading apostrophe, so it stays text. Characters the text rule refuses (controls, bidi overrides, lone surrogates),
 * which records stored before the rule may hold, are written as visible `\u{…}` escapes.
 */
export function toCsv<T extends object, K extends keyof T & string>(columns: readonly K[], rows: readonly T[]): string {
  const cell = (v: unknown): string => (v === undefined || v === null ? "" : escapeUnsafeText(String(v), { keepLineBreaks: true }));
  return stringify([[...columns], ...rows.map((r) => columns.map((c) => cell(r[c])))], {
    record_delimiter: "windows",
    quoted_match: [";"],
    escape_formulas: true,
    eof: true,
  });
}
