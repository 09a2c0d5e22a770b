import type { RequestUseCases } from "./use-cases/request-use-cases";
import { PLANNING_CONTRACTS } from "./planning-contracts";
import { DEFAULT_PAGE_LIMIT } from "../platform/http/schemas";
import { defineRoute, type AnyRoute } from "../platform/http/types";

/** /requests: open, read, approve (exact quoted terms) and cancel capacity requests. Buying happens in the worker. */
export function requestRoutes(requests: RequestUseCases): AnyRoute[] {
  return [
    defineRoute({
      ...PLANNING_CONTRACTS["GET /requests"],
      async handler({ query }) {
        const page = await requests.list({ limit: query.limit ?? DEFAULT_PAGE_LIMIT, cursor: query.cursor });
        const headers: Record<string, string> = page.cursor ? { "x-next-cursor": page.cursor } : {};
        return { statusCode: 200, body: page.items, headers };
      },
    }),
    defineRoute({
      ...PLANNING_CONTRACTS["POST /requests"],
      async handler({ body, actor }) {
        const request = await requests.create(body, { actor });
        return { statusCode: 201, body: request, headers: { Location: `/requests/${request.id}` } };
      },
    }),
    defineRoute({
      ...PLANNING_CONTRACTS["GET /requests/{id}"],
      async handler({ params }) {
        return { statusCode: 200, body: await requests.get(params.id) };
      },
    }),
    defineRoute({
      ...PLANNING_CONTRACTS["PATCH /requests/{id}"],
      async handler({ params, actor, body }) {
        const { request, covers } = await requests.approve(params.id, { actor, ...body });
        return { statusCode: 200, body: { ...request, approvalCovers: covers } };
      },
    }),
    defineRoute({
      ...PLANNING_CONTRACTS["DELETE /requests/{id}"],
      async handler({ params, actor }) {
        return { statusCode: 200, body: await requests.cancel(params.id, { actor }) };
      },
    }),
  ];
}
