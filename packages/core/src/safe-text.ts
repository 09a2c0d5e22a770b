import * as z from "zod";

/**
 * Control characters (C0, DEL, C1), bidi overrides and isolates, and lone surrogates: text with them can fake lines
 * in an e-mail, recolour a terminal or reorder what an approver reads.
 */
const UNSAFE =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point here
  /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** True when `s` has no control characters, bidi overrides or lone surrogates: what people's text may contain. */
export function isSafeText(s: string): boolean {
  UNSAFE.lastIndex = 0;
  return !UNSAFE.test(s);
}

/**
 * Text for an e-mail body, a terminal, a page or a CSV cell: every unsafe character shown as a `\u{…}` escape
 * instead, so text stored before the rule reads as what it holds. `keepLineBreaks` leaves tab, LF and CR where the
 * medium shows them harmlessly (HTML text, a quoted CSV cell).
 */
export function escapeUnsafeText(s: string, opts: { keepLineBreaks?: boolean } = {}): string {
  if (isSafeText(s)) return s;
  return s.replace(UNSAFE, (c) =>
    opts.keepLineBreaks && (c === "\t" || c === "\n" || c === "\r") ? c : `\\u{${c.charCodeAt(0).toString(16)}}`,
  );
}

/**
 * Text for a terminal that may be JSON: unsafe characters as `\uXXXX`, which reads plainly on a terminal and is the
 * same character again inside a JSON string (the only place JSON.stringify leaves them). Tab and line breaks stay.
 */
export function escapeUnsafeForTerminal(s: string): string {
  if (isSafeText(s)) return s;
  return s.replace(UNSAFE, (c) => (c === "\t" || c === "\n" || c === "\r" ? c : `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`));
}

/** Free text a person types (names, comments): printable only. */
export const SafeText = z
  .string()
  .refine(isSafeText, { message: "must not contain control characters, bidi overrides or lone surrogates" });
