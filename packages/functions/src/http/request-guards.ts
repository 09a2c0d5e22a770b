import type { MiddlewareObj } from "@middy/core";
import { InvalidJsonError, PayloadTooLargeError, UnsupportedMediaTypeError } from "../errors";
import type { ApiEvent, ApiResult } from "./types";

/** Largest accepted request body, measured on the decoded bytes. */
export const MAX_BODY_BYTES = 64 * 1024;

const DEFAULT_ACTOR = "api-key";
const ACTOR_MAX = 64;

/** Keeps a caller-supplied actor printable and short; it ends up in history and in notifications. */
export function sanitizeActor(raw: string | undefined): string {
  if (typeof raw !== "string") return DEFAULT_ACTOR;
  const clean = raw.replace(/[^A-Za-z0-9 ._:@+/-]/g, "").trim().slice(0, ACTOR_MAX).trim();
  return clean || DEFAULT_ACTOR;
}

function isJsonMediaType(contentType: string): boolean {
  const media = contentType.split(";")[0]!.trim().toLowerCase();
  return media === "application/json" || /^application\/[a-z0-9.+-]+\+json$/.test(media);
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
 * Reads the body (size, media type, JSON) and the actor once, before routing, so route handlers get typed facts
 * and never parse the raw request themselves.
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
      if (bytes && opts.formBody?.(event)) {
        body = parseForm(headers["content-type"], bytes);
      } else if (bytes) {
        const contentType = headers["content-type"];
        if (typeof contentType === "string" && contentType.trim() !== "" && !isJsonMediaType(contentType)) throw new UnsupportedMediaTypeError(contentType);
        const text = bytes.toString("utf8");
        if (text.trim() !== "") {
          try {
            body = JSON.parse(text);
          } catch (err) {
            throw new InvalidJsonError({ cause: err });
          }
        }
      }
      // A self-authenticated route names its actor once it has checked the link or session; a header cannot.
      const actor = opts.selfAuthenticated?.(event) ? "anonymous" : sanitizeActor(headers["x-cbm-actor"]);
      event.cbm = { body, hasBody: body !== undefined, actor };
    },
  };
}

/** An HTML form's fields (the last of repeated names wins); any other media type on a form route is refused. */
function parseForm(contentType: string | undefined, bytes: Buffer): Record<string, string> {
  const media = (contentType ?? "").split(";")[0]!.trim().toLowerCase();
  if (media !== "application/x-www-form-urlencoded") throw new UnsupportedMediaTypeError(contentType ?? "");
  return Object.fromEntries(new URLSearchParams(bytes.toString("utf8")));
}
