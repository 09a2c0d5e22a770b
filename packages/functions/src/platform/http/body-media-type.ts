import type { MiddlewareObj } from "@middy/core";
import { UnsupportedMediaTypeError } from "../errors";
import type { ApiEvent, ApiResult } from "./types";

/**
 * Refuses a body this route cannot read, with 415, rather than parse it into something the client did not send: a
 * form route reads only application/x-www-form-urlencoded; every other route reads UTF-8 JSON, uncompressed (a body
 * sent without Content-Type is JSON, as the API always had). A request without a body has nothing to refuse.
 */
export function bodyMediaType(isFormRoute: (event: ApiEvent) => boolean): MiddlewareObj<ApiEvent, ApiResult> {
  return {
    before: async ({ event }) => {
      if (event.body === undefined) return;
      const headers = event.headers ?? {};
      if (isFormRoute(event)) return checkForm(headers["content-type"]);
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
    },
  };
}

function checkForm(contentType: string | undefined): void {
  const media = (contentType ?? "").split(";")[0]!.trim().toLowerCase();
  if (media !== "application/x-www-form-urlencoded")
    throw new UnsupportedMediaTypeError(contentType ?? "", "Send this form as application/x-www-form-urlencoded");
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
