import type { MiddlewareObj } from "@middy/core";
import { isSafeText, ValidationError } from "@cbm/core";
import { InvalidJsonError, PayloadTooLargeError, UnsupportedMediaTypeError } from "../errors";
import { redactSecret } from "./redaction";
import type { ApiEvent, ApiResult } from "./types";

/** Largest accepted request body, measured on the decoded bytes. */
export const MAX_BODY_BYTES = 64 * 1024;

const DEFAULT_ACTOR = "api-key";
const ACTOR_MAX = 64;

/**
 * Keeps a caller-supplied actor printable and short; it ends up in history and in notifications. A deceptive
 * character is refused (400) rather than stripped, since the name would not be what its sender meant; the API key,
 * pasted by mistake, is redacted before anything else, so no part of it survives.
 */
export function sanitizeActor(raw: string | undefined, apiKey?: string): string {
  if (typeof raw !== "string") return DEFAULT_ACTOR;
  // The same rule as every text a person types (core's isSafeText): controls, bidi overrides, lone surrogates.
  if (!isSafeText(raw)) {
    throw new ValidationError([
      {
        field: "x-cbm-actor",
        message: "must not contain control characters, bidirectional overrides or unpaired surrogates",
        code: "invalid_format",
      },
    ]);
  }
  // Redacted before and after stripping: stripping could join the pieces of a key around a removed character.
  const printable = redactSecret(raw, apiKey, "redacted").replace(/[^A-Za-z0-9 ._:@+/-]/g, "");
  const clean = redactSecret(printable, apiKey, "redacted").trim().slice(0, ACTOR_MAX).trim();
  return clean || DEFAULT_ACTOR;
}

function isJsonMediaType(contentType: string): boolean {
  const media = contentType.split(";")[0]!.trim().toLowerCase();
  return media === "application/json" || /^application\/[a-z0-9.+-]+\+json$/.test(media);
}

/** The `charset` parameter of a Content-Type, unquoted and lower-cased; undefined when there is none. */
function charsetOf(contentType: string): string | undefined {
  for (const param of contentType.split(";").slice(1)) {
    const eq = param.indexOf("=");
    if (eq > 0 && param.slice(0, eq).trim().toLowerCase() === "charset")
      return param
        .slice(eq + 1)
        .trim()
        .replace(/^"(.*)"$/, "$1")
        .toLowerCase();
  }
  return undefined;
}

/**
 * A body is read as UTF-8 JSON, uncompressed. Anything else would be misread, so it is refused with 415 rather
 * than parsed into something the client did not send.
 */
function checkEncoding(headers: Record<string, string | undefined>): void {
  const contentEncoding = headers["content-encoding"]?.trim().toLowerCase();
  if (contentEncoding && contentEncoding !== "identity") {
    throw new UnsupportedMediaTypeError(
      contentEncoding,
      `Content-Encoding '${contentEncoding.slice(0, 50)}' is not supported; send the body uncompressed`,
    );
  }
  const contentType = headers["content-type"];
  if (typeof contentType !== "string" || contentType.trim() === "") return;
  if (!isJsonMediaType(contentType)) throw new UnsupportedMediaTypeError(contentType);
  const charset = charsetOf(contentType);
  if (charset !== undefined && charset !== "utf-8" && charset !== "utf8") {
    throw new UnsupportedMediaTypeError(contentType, `charset '${charset.slice(0, 50)}' is not supported; send UTF-8`);
  }
}

function rawBodyBytes(event: ApiEvent, limit: number): Buffer | undefined {
  const body = event.body;
  if (body === null || body === undefined || body === "") return undefined;
  if (typeof body !== "string") throw new InvalidJsonError();
  // Cheap pre-check before decoding: base64 never shrinks below 3/4 of its length, UTF-8 never below 1 byte/char.
  const lowerBound = event.isBase64Encoded ? Math.floor((body.length * 3) / 4) - 2 : body.length;
  if (lowerBound > limit) throw new PayloadTooLargeError(limit);
  const bytes = event.isBase64Encoded ? Buffer.from(body, "base64") : Buffer.from(body, "utf8");
  if (bytes.length > limit) throw new PayloadTooLargeError(limit);
  return bytes.length ? bytes : undefined;
}

/**
 * Reads the body (size, media type, charset; form fields) and the actor once, before routing, so route handlers get
 * typed facts and never read the raw request themselves. A JSON text is left, decoded, for jsonBodyParser.
 */
export function requestGuards(
  opts: { maxBodyBytes?: number; formBody?: (event: ApiEvent) => boolean; selfAuthenticated?: (event: ApiEvent) => boolean } = {},
): MiddlewareObj<ApiEvent, ApiResult> {
  const limit = opts.maxBodyBytes ?? MAX_BODY_BYTES;
  return {
    before: async ({ event }) => {
      const headers = event.headers ?? {};
      const bytes = rawBodyBytes(event, limit);
      let body: unknown;
      let jsonPending = false;
      if (bytes && opts.formBody?.(event)) {
        body = parseForm(headers["content-type"], bytes);
      } else if (bytes) {
        checkEncoding(headers);
        const text = bytes.toString("utf8");
        // Whitespace alone is no body, as an empty one is.
        if (text.trim() !== "") {
          event.body = text;
          event.isBase64Encoded = false;
          jsonPending = true;
        }
      }
      // A self-authenticated route names its actor once it has checked the link or session; a header cannot.
      const actor = opts.selfAuthenticated?.(event) ? "anonymous" : sanitizeActor(headers["x-cbm-actor"], headers["x-api-key"]);
      event.cbm = { body, actor, ...(jsonPending ? { jsonPending } : {}) };
    },
  };
}

/**
 * An HTML form's fields; any other media type on a form route is refused. Our forms send each name once, so a
 * repeated one (`confirm=no&confirm=yes`, two CSRF tokens) is a forged or tampered form: refused with 400, since
 * whichever copy won, the answer would not be the one the page showed.
 */
function parseForm(contentType: string | undefined, bytes: Buffer): Record<string, string> {
  const media = (contentType ?? "").split(";")[0]!.trim().toLowerCase();
  if (media !== "application/x-www-form-urlencoded")
    throw new UnsupportedMediaTypeError(contentType ?? "", "Send this form as application/x-www-form-urlencoded");
  const fields = new Map<string, string>();
  for (const [name, value] of new URLSearchParams(bytes.toString("utf8"))) {
    if (fields.has(name))
      throw new ValidationError([
        { field: name.slice(0, 64), message: "is repeated; a form sends each field once", code: "duplicate_field" },
      ]);
    fields.set(name, value);
  }
  return Object.fromEntries(fields);
}
