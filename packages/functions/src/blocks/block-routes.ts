import { MAX_PAGE_LIMIT, type Block } from "@cbm/core";
import type { BlockUseCases, InputWarning } from "./use-cases";
import { DEFAULT_PAGE_LIMIT, etag, OptionalVerdictBody, PageQuery, parseIfMatch, PkParams } from "../platform/http/schemas";
import { OptionalBlockVerdictBody } from "./wire/verdict-body";
import { CreateBlockBody, UpdateBlockBody } from "./wire/block-body";
import { defineRoute, type AnyRoute, type ApiEvent, type QueryParamDoc, type ResponseDoc } from "../platform/http/types";

export interface BlockRoutesOptions {
  /** Public base URL (API_URL) for absolute `Link` headers; without it links are relative to the request path. */
  apiUrl?: string;
}

const pageDocs: QueryParamDoc[] = [
  {
    name: "limit",
    description: `Page size, 1–${MAX_PAGE_LIMIT} (default ${DEFAULT_PAGE_LIMIT})`,
    schema: { type: "integer", minimum: 1, maximum: MAX_PAGE_LIMIT, default: DEFAULT_PAGE_LIMIT },
  },
  { name: "cursor", description: "The `x-next-cursor` of the previous page", schema: { type: "string" } },
];
const ifMatchDoc: QueryParamDoc = {
  name: "If-Match",
  description: 'The version the change is based on, e.g. `"3"`; 409 when stale',
  schema: { type: "string" },
};
const pageHeaders: ResponseDoc["headers"] = {
  "x-next-cursor": { description: "Cursor of the next page; absent on the last page", schema: { type: "string" } },
  Link: { description: 'RFC 8288 link to the next page, rel="next"', schema: { type: "string" } },
};
const etagHeader: ResponseDoc["headers"] = {
  ETag: { description: "The record's version, usable in If-Match", schema: { type: "string" } },
};
const E = (description: string): ResponseDoc => ({ description, schema: "Error" });
const common = {
  400: E("Invalid input (code VALIDATION_FAILED or INVALID_JSON) with the fields at fault"),
  403: { description: "Missing or wrong API key", schema: "Forbidden" },
  503: E(
    "A dependency (DynamoDB, Secrets Manager) did not answer in time (DEPENDENCY_UNAVAILABLE), throttled (THROTTLED) or failed (INFRASTRUCTURE_ERROR); retry after Retry-After",
  ),
};

function pageHeadersFor(event: ApiEvent, apiUrl: string | undefined, limit: number, cursor: string | undefined): Record<string, string> {
  if (!cursor) return {};
  const path = apiUrl ? `${apiUrl.replace(/\/$/, "")}${event.path}` : (event.requestContext?.path ?? event.path);
  const query = new URLSearchParams({ limit: String(limit), cursor }).toString();
  return { "x-next-cursor": cursor, Link: `<${path}?${query}>; rel="next"` };
}

/** The record stays the top-level object; warnings, when there are any, ride along as one extra member. */
function withWarnings(block: Block, warnings: InputWarning[]): Block & { warnings?: InputWarning[] } {
  return warnings.length ? { ...block, warnings } : block;
}

export function blockRoutes(blocks: BlockUseCases, { apiUrl }: BlockRoutesOptions = {}): AnyRoute[] {
  return [
    defineRoute({
      method: "GET",
      path: "/",
      operationId: "listBlocks",
      summary: "List managed blocks (a JSON array; the next page's cursor is in x-next-cursor and Link)",
      query: PageQuery,
      queryDocs: pageDocs,
      responses: { 200: { description: "One page of blocks", schema: "array:Block", headers: pageHeaders }, ...common },
      async handler({ query, event }) {
        const limit = query.limit ?? DEFAULT_PAGE_LIMIT;
        const page = await blocks.list({ limit, cursor: query.cursor });
        return { statusCode: 200, body: page.items, headers: pageHeadersFor(event, apiUrl, limit, page.cursor) };
      },
    }),
    defineRoute({
      method: "GET",
      path: "/{PK}",
      operationId: "getBlock",
      summary: "Get one managed block, with its sampled usage and what CBM will do next",
      params: PkParams,
      responses: {
        200: {
          description: "The block, its `usage` (null before the first sample) and `outlook` (what CBM will do next)",
          schema: "BlockWithUsage",
          headers: etagHeader,
        },
        404: E("No such block"),
        ...common,
      },
      async handler({ params }) {
        const block = await blocks.show(params.PK);
        return { statusCode: 200, body: block, headers: { ETag: etag(block.version) } };
      },
    }),
    defineRoute({
      method: "POST",
      path: "/",
      operationId: "createBlock",
      summary: "Register a block with its extension policy (PK defaults to capacityReservationId)",
      body: CreateBlockBody,
      requestBody: { schema: "CreateBlockInput", required: true },
      idempotent: true,
      responses: {
        201: {
          description: "The stored record with its effective policy; `warnings` only when there are some",
          schema: "BlockWithWarnings",
          headers: etagHeader,
        },
        409: E("ALREADY_EXISTS: the PK is taken; IDEMPOTENCY_IN_PROGRESS: the first request with this Idempotency-Key is still running"),
        413: E("Body over 64 KiB"),
        415: E("Body is not application/json"),
        ...common,
      },
      async handler({ body, actor }) {
        const { block, warnings } = await blocks.create(body, { actor });
        return {
          statusCode: 201,
          body: withWarnings(block, warnings),
          headers: { ETag: etag(block.version), Location: `/${encodeURIComponent(block.PK)}` },
        };
      },
    }),
    defineRoute({
      method: "PUT",
      path: "/{PK}",
      operationId: "updateBlock",
      summary: "Partially update a block; a stale `version` (body) or If-Match gets 409",
      params: PkParams,
      body: UpdateBlockBody,
      requestBody: { schema: "UpdateBlockInput", required: true },
      idempotent: true,
      requestHeaders: [ifMatchDoc],
      responses: {
        200: { description: "The stored record; `warnings` only when there are some", schema: "BlockWithWarnings", headers: etagHeader },
        404: E("No such block"),
        409: E("VERSION_CONFLICT: someone else changed the block; IDEMPOTENCY_IN_PROGRESS (see POST /)"),
        413: E("Body over 64 KiB"),
        415: E("Body is not application/json"),
        ...common,
      },
      async handler({ params, body, actor, headers }) {
        const { block, warnings } = await blocks.update(params.PK, body, {
          actor,
          ifMatch: parseIfMatch(headers["if-match"]),
        });
        return { statusCode: 200, body: withWarnings(block, warnings), headers: { ETag: etag(block.version) } };
      },
    }),
    defineRoute({
      method: "DELETE",
      path: "/{PK}",
      operationId: "deleteBlock",
      summary: "Stop managing a block (its history stays readable); refused while a purchase is in flight",
      params: PkParams,
      requestHeaders: [ifMatchDoc],
      responses: {
        200: { description: "The record as it was before deletion", schema: "Block" },
        404: E("No such block"),
        409: E("PURCHASE_IN_FLIGHT or VERSION_CONFLICT"),
        ...common,
      },
      async handler({ params, actor, headers }) {
        const block = await blocks.remove(params.PK, { actor, ifMatch: parseIfMatch(headers["if-match"]) });
        return { statusCode: 200, body: block };
      },
    }),
    defineRoute({
      method: "PATCH",
      path: "/{PK}",
      operationId: "approveBlock",
      summary: 'Approve the window a notice asked about; `{"window":"next"}` (or its end date) approves in advance',
      params: PkParams,
      body: OptionalBlockVerdictBody,
      requestBody: { schema: "BlockVerdictInput", required: false },
      idempotent: true,
      responses: {
        200: {
          description:
            "The block, approved and due for the next scheduler tick; `verdictNote` says in words which window and whether it was asked or in advance (a repeat records nothing), `approvalCovers` the terms it covers",
          schema: "Block",
          headers: etagHeader,
        },
        404: E("No such block"),
        409: E(
          "NOTHING_ASKED: no window named and none asked about (the message says what is pending and when CBM asks next); INVALID_STATE: the end date is not known yet, or the named window is not the next undecided one; PURCHASE_IN_FLIGHT; IDEMPOTENCY_IN_PROGRESS (see POST /)",
        ),
        ...common,
      },
      async handler({ params, actor, body }) {
        const { block, covers, note } = await blocks.approve(params.PK, { actor, ...body });
        // `approvalCovers` says in words what the approval allows CBM to buy (and nothing else).
        return {
          statusCode: 200,
          body: { ...block, verdictNote: note, ...(covers ? { approvalCovers: covers } : {}) },
          headers: { ETag: etag(block.version) },
        };
      },
    }),
    defineRoute({
      method: "POST",
      path: "/{PK}/deny",
      operationId: "denyBlock",
      summary: 'Deny the window a notice asked about (`{"window":"next"}` denies in advance); CBM will not extend in it',
      params: PkParams,
      body: OptionalBlockVerdictBody,
      requestBody: { schema: "BlockVerdictInput", required: false },
      idempotent: true,
      responses: {
        200: { description: "The block, denied for the window", schema: "Block", headers: etagHeader },
        404: E("No such block"),
        409: E(
          "NOTHING_ASKED: no window named and none asked about (the message says what is pending and when CBM asks next); INVALID_STATE: the end date is not known yet, or the named window is not the next undecided one; PURCHASE_IN_FLIGHT; IDEMPOTENCY_IN_PROGRESS (see POST /)",
        ),
        ...common,
      },
      async handler({ params, actor, body }) {
        const { block, note } = await blocks.deny(params.PK, { actor, ...body });
        return { statusCode: 200, body: { ...block, verdictNote: note }, headers: { ETag: etag(block.version) } };
      },
    }),
    defineRoute({
      method: "POST",
      path: "/{PK}/reset-spend",
      operationId: "resetSpend",
      summary: "Reset what the block counts as spent and bought to 0 (recorded in history); DELETE never does this",
      params: PkParams,
      body: OptionalVerdictBody,
      requestBody: { schema: "VerdictInput", required: false },
      // A retry that arrives after a purchase would reset that purchase's spend too, and the budget would allow another.
      idempotent: true,
      responses: {
        200: { description: "The block with spent 0 and extensionsPurchased 0", schema: "Block", headers: etagHeader },
        404: E("No such block"),
        409: E("PURCHASE_IN_FLIGHT: a purchase or its payment is not settled yet; IDEMPOTENCY_IN_PROGRESS (see POST /)"),
        ...common,
      },
      async handler({ params, actor, body }) {
        const block = await blocks.resetSpend(params.PK, { actor, ...body });
        return { statusCode: 200, body: block, headers: { ETag: etag(block.version) } };
      },
    }),
    defineRoute({
      method: "GET",
      path: "/{PK}/history",
      operationId: "blockHistory",
      summary: "A block's history, newest first (kept after the block is deleted)",
      params: PkParams,
      query: PageQuery,
      queryDocs: pageDocs,
      responses: {
        200: { description: "One page of events", schema: "array:HistoryEvent", headers: pageHeaders },
        404: E("No such block and no history"),
        ...common,
      },
      async handler({ params, query, event }) {
        const limit = query.limit ?? DEFAULT_PAGE_LIMIT;
        const page = await blocks.history(params.PK, { limit, cursor: query.cursor });
        return { statusCode: 200, body: page.items, headers: pageHeadersFor(event, apiUrl, limit, page.cursor) };
      },
    }),
  ];
}
