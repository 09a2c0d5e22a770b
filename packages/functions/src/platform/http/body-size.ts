import type { MiddlewareObj } from "@middy/core";
import { InvalidJsonError, PayloadTooLargeError } from "../errors";
import type { ApiEvent, ApiResult } from "./types";

/** Largest accepted request body, measured on the decoded bytes. */
export const MAX_BODY_BYTES = 64 * 1024;

/**
 * Measures the body before anything reads it, and hands it on as UTF-8 text: API Gateway may send it base64-encoded,
 * and a body over the limit is refused (413) before it is decoded in full, parsed or stored. An empty body is no
 * body (`undefined`), whatever form the event gave it (null, "" or absent).
 */
export function bodySize(maxBodyBytes = MAX_BODY_BYTES): MiddlewareObj<ApiEvent, ApiResult> {
  return {
    before: async ({ event }) => {
      const body = event.body;
      if (body === null || body === undefined || body === "") return void (event.body = undefined);
      // A body that is not text (a direct invocation with an object) cannot be measured, nor be JSON as sent.
      if (typeof body !== "string") throw new InvalidJsonError();
      // Cheap pre-check before decoding: base64 never shrinks below 3/4 of its length, UTF-8 never below 1 byte/char.
      const lowerBound = event.isBase64Encoded ? Math.floor((body.length * 3) / 4) - 2 : body.length;
      if (lowerBound > maxBodyBytes) throw new PayloadTooLargeError(maxBodyBytes);
      const bytes = event.isBase64Encoded ? Buffer.from(body, "base64") : Buffer.from(body, "utf8");
      if (bytes.length > maxBodyBytes) throw new PayloadTooLargeError(maxBodyBytes);
      event.body = bytes.length ? bytes.toString("utf8") : undefined;
      event.isBase64Encoded = false;
    },
  };
}
