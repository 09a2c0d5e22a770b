import * as z from "zod";
import { CapacityRequest, OfferingSearchResult, SpendReport } from "@cbm/core";
import { UsageReport } from "../reports";
import { OfferingsQuery } from "./offering-query";
import { routeTable } from "../platform/http/route-table";
import { OptionalVerdictBody, PageQuery } from "../platform/http/schemas";
import { CreateRequestBody } from "./wire/request-body";
import type { ResponseDoc } from "../platform/http/types";

/*
 * The planning routes, declared once without their handlers: paths, input schemas and documented answers. The
 * planning function binds a handler to each (offering-routes.ts, request-routes.ts, report-routes.ts), the block
 * API's OpenAPI document lists them and API Gateway's manifest is derived from them, so all read one table and the
 * API bundle carries none of the planning code.
 */

/** `{id}` of /requests/{id}: the request's id or its name (names follow the block key rule, so `.` and `:` too). */
export const RequestIdParams = z
  .object({ id: z.string().regex(/^[0-9A-Za-z._:-]{1,128}$/, { message: "is not a request id or name" }) })
  .strict();

/** `?format=` of GET /reports/spend. */
export const SpendReportQuery = z
  .object({ format: z.enum(["json", "csv"]).optional().describe("`csv` adds a `csv` member with one row per block") })
  .strict();

/** What GET /reports/spend answers: core's report, whether a list was cut, and the CSV when asked for. */
export const SpendReportBody = SpendReport.extend({
  truncated: z.boolean().describe("More than 2,000 blocks or requests, or a history longer than 2,000 events: only the first are counted"),
  csv: z.string().optional().describe("With `format=csv`: one row per block, RFC 4180"),
});

/** Component schemas the planning contracts name, generated into openapi.json from these zod schemas. */
export const PLANNING_SCHEMAS: Record<string, { schema: z.ZodType; io: "input" | "output" }> = {
  OfferingSearchResult: { schema: OfferingSearchResult, io: "output" },
  CapacityRequest: { schema: CapacityRequest, io: "output" },
  ApprovedCapacityRequest: {
    schema: CapacityRequest.extend({ approvalCovers: z.string().describe("What the approval covers, in words") }),
    io: "output",
  },
  CreateRequestInput: { schema: CreateRequestBody, io: "input" },
  SpendReport: { schema: SpendReportBody, io: "output" },
  UsageReport: { schema: UsageReport, io: "output" },
};

const E = (description: string): ResponseDoc => ({ description, schema: "Error" });
const forbidden: ResponseDoc = { description: "Missing or wrong API key", schema: "Forbidden" };
const common = {
  400: E("Invalid input (VALIDATION_FAILED) with the fields at fault"),
  403: forbidden,
  503: E("A dependency is unavailable; retry after Retry-After"),
};

/** GET /offerings (offering-routes.ts), declared once. */
export const OFFERING_CONTRACTS = routeTable({
  searchOfferings: {
    method: "GET",
    path: "/offerings",
    summary: "Search Capacity Block offerings in one or more regions (in parallel), cheapest first, with the price per instance-hour",
    query: OfferingsQuery,
    responses: {
      200: {
        description: "`offerings` (cheapest first) and `regions` (per region: ok, throttled or failed)",
        schema: "OfferingSearchResult",
      },
      400: E("Invalid search (VALIDATION_FAILED) with the fields at fault"),
      403: forbidden,
      503: E("Every region failed or was throttled (CapacityBlockDescribeLimitExceeded refills slowly); retry later"),
    },
  },
});

/** /requests (request-routes.ts), declared once. */
export const REQUEST_CONTRACTS = routeTable({
  listRequests: {
    method: "GET",
    path: "/requests",
    summary: "List capacity requests (a JSON array; the next page's cursor is in x-next-cursor)",
    query: PageQuery,
    responses: {
      200: {
        description: "One page of requests",
        schema: "array:CapacityRequest",
        headers: { "x-next-cursor": { description: "Cursor of the next page; absent on the last page" } },
      },
      ...common,
    },
  },
  createRequest: {
    method: "POST",
    path: "/requests",
    summary: "Open a capacity request: what, when, where, price limits, approval, and the policy of the block once bought",
    body: CreateRequestBody,
    requestBody: { schema: "CreateRequestInput", required: true },
    idempotent: true,
    responses: {
      201: {
        description: "The request, due for the next scheduler run",
        schema: "CapacityRequest",
        headers: { Location: { description: "`/requests/{id}`" } },
      },
      409: E("NAME_TAKEN (issues name the field `name`): an open or fulfilled request has it; IDEMPOTENCY_IN_PROGRESS"),
      ...common,
    },
  },
  getRequest: {
    method: "GET",
    path: "/requests/{id}",
    summary: "One capacity request, by id or name: status, quote, approval, intent and what was bought",
    params: RequestIdParams,
    responses: { 200: { description: "The request", schema: "CapacityRequest" }, 404: E("No such request"), ...common },
  },
  approveRequest: {
    method: "PATCH",
    path: "/requests/{id}",
    summary: "Approve the exact terms of the offering last quoted (zone, start, duration, count, at most its fee)",
    params: RequestIdParams,
    body: OptionalVerdictBody,
    requestBody: { schema: "VerdictInput", required: false },
    idempotent: true,
    responses: {
      200: { description: "The request with `approvalCovers` in words", schema: "ApprovedCapacityRequest" },
      404: E("No such request"),
      409: E("INVALID_STATE: nothing quoted yet, or the request is finished"),
      ...common,
    },
  },
  cancelRequest: {
    method: "DELETE",
    path: "/requests/{id}",
    summary: "Cancel an open capacity request (the record stays); refused once a purchase is in flight or done",
    params: RequestIdParams,
    // A retried cancel must get the first answer: cancelling is what stops a purchase.
    idempotent: true,
    responses: {
      200: { description: "The cancelled request", schema: "CapacityRequest" },
      404: E("No such request"),
      409: E("PURCHASE_IN_FLIGHT or INVALID_STATE; IDEMPOTENCY_IN_PROGRESS (see POST /requests)"),
      ...common,
    },
  },
});

/** /reports (report-routes.ts), declared once. */
export const REPORT_CONTRACTS = routeTable({
  spendReport: {
    method: "GET",
    path: "/reports/spend",
    summary:
      "Spend per month, per block and per team tag, every purchase, reserved and used instance-hours and price per instance-hour (the console's spend page shows the same report)",
    query: SpendReportQuery,
    responses: { 200: { description: "The spend report", schema: "SpendReport" }, 403: forbidden },
  },
  usageReport: {
    method: "GET",
    path: "/reports/usage",
    summary: "Instances running in each managed block now, the last 24 h (hourly), and how long it has been idle",
    responses: { 200: { description: "`blocks`: one row per sampled block, and `truncated`", schema: "UsageReport" }, 403: forbidden },
  },
});
