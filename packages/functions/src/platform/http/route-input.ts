import * as z from "zod";
import { parseOrThrow, ValidationError } from "@cbm/core";
import type { AnyRoute, ApiEvent } from "./types";

// Built once: zod compiles a parser for each schema it creates, far too slow to do per request.
const NO_INPUT = z.object({});
const ANY_QUERY = z.object({}).passthrough();

/** What a route's schemas made of its path parameters, query and body: the typed input its handler reads. */
export interface RouteInput {
  params: unknown;
  query: unknown;
  body: unknown;
}

/**
 * Validates a request against its route's schemas and returns what they parsed; it stores nothing. A refusal is a
 * ValidationError naming each field (400). Without a body schema the body is passed on as the parsers left it.
 *
 * Why zod and not @middy/validator: the validator runs a JSON Schema (ajv) over the event and can only accept or
 * refuse it. The route schemas also transform (`?limit=` to a number; a block body to core's command, its first
 * release's aliases to today's names), and `z.toJSONSchema` drops their refinements without a word (Money's decimal
 * check, the duration ladder, SafeText's bidi and control characters, tag rules), so ajv would pass bodies zod
 * refuses. Its refusals (`instancePath`, `keyword`) are not the `field`/`code`/`message` issues the API answers.
 */
export function parseRouteInput(route: AnyRoute, event: ApiEvent): RouteInput {
  return {
    params: parseOrThrow(route.params ?? NO_INPUT, decodeParams(event.pathParameters)),
    query: parseOrThrow(route.query ?? ANY_QUERY, event.queryStringParameters ?? {}),
    body: route.body ? parseOrThrow(route.body, event.body) : event.body,
  };
}

function decodeParams(raw: Record<string, string | undefined> | null): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw ?? {})) {
    if (typeof v !== "string") continue;
    try {
      out[k] = decodeURIComponent(v);
    } catch {
      throw new ValidationError([{ field: k, message: "is not valid percent-encoding", code: "invalid_format" }]);
    }
  }
  return out;
}
