import { createHash } from "node:crypto";
import { escapeUnsafeText } from "@cbm/core";
import { STYLE, SCRIPT } from "./assets";

/** Markup that is already escaped; only `html` and `raw` make one, so every interpolated value is escaped once. */
export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

export type Part = Html | string | number | boolean | null | undefined | Part[];

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

function render(p: Part): string {
  if (p === null || p === undefined || p === false) return "";
  if (p instanceof Html) return p.value;
  if (Array.isArray(p)) return p.map(render).join("");
  // Text stored before the text rule (a tag with a bidi override or a bell) shows its unsafe characters as escapes.
  return escapeHtml(escapeUnsafeText(String(p), { keepLineBreaks: true }));
}

/**
 * Tagged template: every `${value}` is HTML-escaped, and its control, bidi and lone-surrogate characters shown as
 * `\u{…}`, unless it is Html already (nested templates, `raw`).
 */
export function html(strings: TemplateStringsArray, ...values: Part[]): Html {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += render(values[i]) + strings[i + 1]!;
  return new Html(out);
}

/** Trusted markup (the page's own constants); never pass request data here. */
export function raw(s: string): Html {
  return new Html(s);
}

const sha = (s: string) => `'sha256-${createHash("sha256").update(s, "utf8").digest("base64")}'`;

/**
 * The pages' one inline style and script are allowed by hash; nothing else loads or runs, forms post only to this
 * origin, and no other site may frame a page (clickjacking an Approve button).
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  `style-src ${sha(STYLE)}`,
  `script-src ${sha(SCRIPT)}`,
  "img-src 'self' data:",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join("; ");

/**
 * Headers of every HTML page. `Referrer-Policy: same-origin` keeps a link's token out of other sites' logs while
 * still sending the Origin header on our own form posts, which the same-origin check reads (`no-referrer` would
 * turn it into `null`). Pages are never cached: they show money and carry single-use tokens.
 */
export function pageHeaders(extra: Record<string, string> = {}): Record<string, string> {
  return {
    "Content-Type": "text/html; charset=utf-8",
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
    ...extra,
  };
}

export interface PageOptions {
  title: string;
  /** Navigation links of the console (absent on link pages, which stand alone). */
  nav?: Html;
  /** A notice above every page's content (the console's auto-approval warning), in the main landmark's colours. */
  banner?: Html | string;
  /** Tells mail scanners and crawlers not to index or follow anything. */
  robots?: boolean;
}

// Built outside the `html` template on purpose: the formatter rewrites whitespace inside templates it reads as HTML,
// and one changed byte in the inline style or script voids its CSP hash (the browser then drops it silently).
const STYLE_TAG = raw("<style>" + STYLE + "</style>");
const SCRIPT_TAG = raw("<script>" + SCRIPT + "</script>");

/** The whole document: one inline style, one inline script, a skip link and a main landmark. */
export function page(opts: PageOptions, body: Part): string {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="robots" content="noindex, nofollow" />
        <meta name="referrer" content="same-origin" />
        <title>${opts.title} · Capacity Block Manager</title>
        ${STYLE_TAG}
      </head>
      <body>
        <a class="skip" href="#main">Skip to content</a>
        <header><span class="brand">Capacity Block Manager</span>${opts.nav ?? ""}</header>
        <main id="main" tabindex="-1">${opts.banner ?? ""}${body}</main>
        ${SCRIPT_TAG}
      </body>
    </html>`.value;
}
