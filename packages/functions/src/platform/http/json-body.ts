import type { MiddlewareObj } from "@middy/core";
import httpJsonBodyParser from "@middy/http-json-body-parser";
import { InvalidJsonError } from "../errors";
import type { ApiEvent, ApiResult } from "./types";

/**
 * @middy/http-json-body-parser over a body requestGuards accepted. Its own content-type check is off: the guards
 * already refused other media types, charsets and encodings with 415, and accept a body sent without Content-Type
 * as JSON, as the API always has. Malformed JSON is CBM's 400 INVALID_JSON, not the parser's 415.
 */
export function jsonBodyParser(): MiddlewareObj<ApiEvent, ApiResult> {
  // `disableContentTypeCheck` is an option of the parser that its type declarations leave out.
  const parser = httpJsonBodyParser({ disableContentTypeCheck: true } as Parameters<typeof httpJsonBodyParser>[0]) as MiddlewareObj<
    ApiEvent,
    ApiResult
  >;
  return {
    before: async (request) => {
      const facts = request.event.cbm;
      if (!facts?.jsonPending) return;
      try {
        await parser.before?.(request);
      } catch (err) {
        throw new InvalidJsonError({ cause: err });
      }
      facts.body = request.event.body as unknown;
      delete facts.jsonPending;
    },
  };
}
