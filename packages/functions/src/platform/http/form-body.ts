import type { MiddlewareObj } from "@middy/core";
import { ValidationError } from "@cbm/core";
import type { ApiEvent, ApiResult } from "./types";

/**
 * An HTML form's fields, as `event.body` (string fields), on the routes that take a form; bodyMediaType has refused
 * any other media type. Our forms send each name once, so a repeated one (`confirm=no&confirm=yes`, two CSRF
 * tokens) is a forged or tampered form: refused with 400, since whichever copy won, the answer would not be the one
 * the page showed.
 */
export function formBody(isFormRoute: (event: ApiEvent) => boolean): MiddlewareObj<ApiEvent, ApiResult> {
  return {
    before: async ({ event }) => {
      if (typeof event.body !== "string" || !isFormRoute(event)) return;
      const fields = new Map<string, string>();
      for (const [name, value] of new URLSearchParams(event.body)) {
        if (fields.has(name))
          throw new ValidationError([
            { field: name.slice(0, 64), message: "is repeated; a form sends each field once", code: "duplicate_field" },
          ]);
        fields.set(name, value);
      }
      event.body = Object.fromEntries(fields);
    },
  };
}
