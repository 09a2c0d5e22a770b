import type { MiddlewareObj } from "@middy/core";
import httpJsonBodyParser from "@middy/http-json-body-parser";
import type { ApiEvent, ApiResult } from "./types";

const JSON_MEDIA_TYPE = "application/json";

/**
 * Says which bodies are JSON texts, in the one way @middy/http-json-body-parser reads: the Content-Type. The parser
 * parses a body labelled JSON and, with `disableContentTypeError`, leaves any other alone. bodyMediaType has refused
 * every other media type, charset and encoding, and a body sent without Content-Type is JSON, as the API always
 * had; so a text body is labelled `application/json` as it stands (the parser's own pattern is case-sensitive).
 * Whitespace alone is no body, as an empty one is, so it and a request without a body carry no label at all.
 * A form route's fields are already an object here, and keep their label.
 */
export function jsonText(): MiddlewareObj<ApiEvent, ApiResult> {
  return {
    before: async ({ event }) => {
      if (typeof event.body === "string" && event.body.trim() === "") event.body = undefined;
      if (typeof event.body === "object" && event.body !== null) return;
      const headers = (event.headers ??= {});
      if (typeof event.body === "string") headers["content-type"] = JSON_MEDIA_TYPE;
      else delete headers["content-type"];
    },
  };
}

/**
 * @middy/http-json-body-parser: `event.body` becomes the parsed JSON. Malformed JSON is its 415, which errorMapper
 * answers as CBM's 400 INVALID_JSON. Its `disableContentTypeCheck` (which would parse every body, an absent one
 * included) is left out of its type declarations; `disableContentTypeError` is declared and is all jsonText needs.
 */
export function jsonBodyParser(): MiddlewareObj<ApiEvent, ApiResult> {
  // Its types name the body it reads (API Gateway's text), not the parsed JSON it leaves, which ApiEvent's body holds.
  return httpJsonBodyParser({ disableContentTypeError: true }) as unknown as MiddlewareObj<ApiEvent, ApiResult>;
}
