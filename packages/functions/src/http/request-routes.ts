import * as z from "zod";
import type { RequestUseCases } from "../use-cases/requests/request-use-cases";
import { CreateRequestBody } from "./wire/request-body";
import { DEFAULT_PAGE_LIMIT, OptionalVerdictBody, PageQuery } from "./schemas";
import { defineRoute, type AnyRoute, type ResponseDoc } from "./types";

const IdParams = z.object({ id: z.string().regex(/^[0-9A-Za-z_-]{1,64}$/, { message: "is not a request id" }) }).strict();
const E = (description: string): ResponseDoc => ({ description, schema: "Error" });
const common = {
  400: E("Invalid input (VALIDATION_FAILED) with the fields at fault"),
  403: { description: "Missing or wrong API key", schema: "Forbidden" },
  503: E("A dependency is unavailable; retry after Retry-After"),
};

/** /requests: open, read, approve (exact quoted terms) and cancel capacity requests. Buying happens in the worker. */
export function requestRoutes(requests: RequestUseCases): AnyRoute[] {
  return [
    defineRoute({
      method: "GET",
      path: "/requests",
      operationId: "listRequests",
      summary: "List capacity requests (a JSON array; the next page's cursor is in x-next-cursor)",
      query: PageQuery,
      responses: { 200: { description: "One page of requests" }, ...common },
      async handler({ query }) {
        const page = await requests.list({ limit: query.limit ?? DEFAULT_PAGE_LIMIT, cursor: query.cursor });
        const headers: Record<string, string> = page.cursor ? { "x-next-cursor": page.cursor } : {};
        return { statusCode: 200, body: page.items, headers };
      },
    }),
    defineRoute({
      method: "POST",
      path: "/requests",
      operationId: "createRequest",
      summary: "Open a capacity request: what, when, where, price limits, approval, and the policy of the block once bought",
      body: CreateRequestBody,
      idempotent: true,
      responses: { 201: { description: "The request, due for the next scheduler run" }, 409: E("IDEMPOTENCY_IN_PROGRESS"), ...common },
      async handler({ body, actor }) {
        const request = await requests.create(body, { actor });
        return { statusCode: 201, body: request, headers: { Location: `/requests/${request.id}` } };
      },
    }),
    defineRoute({
      method: "GET",
      path: "/requests/{id}",
      operationId: "getRequest",
      summary: "One capacity request: status, quote, approval, intent and what was bought",
      params: IdParams,
      responses: { 200: { description: "The request" }, 404: E("No such request"), ...common },
      async handler({ params }) {
        return { statusCode: 200, body: await requests.get(params.id) };
      },
    }),
    defineRoute({
      method: "PATCH",
      path: "/requests/{id}",
      operationId: "approveRequest",
      summary: "Approve the exact terms of the offering last quoted (zone, start, duration, count, at most its fee)",
      params: IdParams,
      body: OptionalVerdictBody,
      idempotent: true,
      responses: {
        200: { description: "The request with `approvalCovers` in words" },
        404: E("No such request"),
        409: E("INVALID_STATE: nothing quoted yet, or the request is finished"),
        ...common,
      },
      async handler({ params, actor, body }) {
        const { request, covers } = await requests.approve(params.id, { actor, ...body });
        return { statusCode: 200, body: { ...request, approvalCovers: covers } };
      },
    }),
    defineRoute({
      method: "DELETE",
      path: "/requests/{id}",
      operationId: "cancelRequest",
      summary: "Cancel an open capacity request (the record stays); refused once a purchase is in flight or done",
      params: IdParams,
      responses: {
        200: { description: "The cancelled request" },
        404: E("No such request"),
        409: E("PURCHASE_IN_FLIGHT or INVALID_STATE"),
        ...common,
      },
      async handler({ params, actor }) {
        return { statusCode: 200, body: await requests.cancel(params.id, { actor }) };
      },
    }),
  ];
}
