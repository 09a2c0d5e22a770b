import { MAX_PAGE_LIMIT } from "@cbm/core";
import { DEFAULT_PAGE_LIMIT, OptionalVerdictBody, PageQuery, PkParams } from "../platform/http/schemas";
import { routeTable } from "../platform/http/route-table";
import type { QueryParamDoc, ResponseDoc } from "../platform/http/types";
import { OptionalBlockVerdictBody } from "./wire/verdict-body";
import { CreateBlockBody, UpdateBlockBody } from "./wire/block-body";

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

/**
 * Every route of the block API, declared once, by operationId: block-routes.ts binds a handler to each, API
 * Gateway's resources (API_ROUTES in contracts/) and openapi.json are derived from this table.
 */
export const BLOCK_CONTRACTS = routeTable({
  listBlocks: {
    method: "GET",
    path: "/",
    summary: "List managed blocks (a JSON array; the next page's cursor is in x-next-cursor and Link)",
    query: PageQuery,
    queryDocs: pageDocs,
    responses: { 200: { description: "One page of blocks", schema: "array:Block", headers: pageHeaders }, ...common },
  },
  getBlock: {
    method: "GET",
    path: "/{PK}",
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
  },
  createBlock: {
    method: "POST",
    path: "/",
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
  },
  updateBlock: {
    method: "PUT",
    path: "/{PK}",
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
  },
  deleteBlock: {
    method: "DELETE",
    path: "/{PK}",
    summary: "Stop managing a block (its history stays readable); refused while a purchase is in flight",
    params: PkParams,
    requestHeaders: [ifMatchDoc],
    responses: {
      200: { description: "The record as it was before deletion", schema: "Block" },
      404: E("No such block"),
      409: E("PURCHASE_IN_FLIGHT or VERSION_CONFLICT"),
      ...common,
    },
  },
  approveBlock: {
    method: "PATCH",
    path: "/{PK}",
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
  },
  denyBlock: {
    method: "POST",
    path: "/{PK}/deny",
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
  },
  resetSpend: {
    method: "POST",
    path: "/{PK}/reset-spend",
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
  },
  blockHistory: {
    method: "GET",
    path: "/{PK}/history",
    summary: "A block's history, newest first (kept after the block is deleted)",
    params: PkParams,
    query: PageQuery,
    queryDocs: pageDocs,
    responses: {
      200: { description: "One page of events", schema: "array:HistoryEvent", headers: pageHeaders },
      404: E("No such block and no history"),
      ...common,
    },
  },
});
