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

/** Text for an e-mail body or a terminal: every unsafe character shown as a `\u{…}` escape instead. */
export function escapeUnsafeText(s: string): string {
  return s.replace(UNSAFE, (c) => `\\u{${c.charCodeAt(0).toString(16)}}`);
}

/** Free text a person types (names, comments): printable only. */
export const SafeText = z
  .string()
  .refine(isSafeText, { message: "must not contain control characters, bidi overrides or lone surrogates" });
