import type { RequestUseCases } from "./use-cases/request-use-cases";
import { REQUEST_CONTRACTS } from "./planning-contracts";
import { DEFAULT_PAGE_LIMIT } from "../platform/http/schemas";
import { bindRoutes } from "../platform/http/route-table";
import type { AnyRoute } from "../platform/http/types";

/** /requests: open, read, approve (exact quoted terms) and cancel capacity requests. Buying happens in the worker. */
export function requestRoutes(requests: RequestUseCases): AnyRoute[] {
  return bindRoutes(REQUEST_CONTRACTS, {
    listRequests: async ({ query }) => {
      const page = await requests.list({ limit: query.limit ?? DEFAULT_PAGE_LIMIT, cursor: query.cursor });
      const headers: Record<string, string> = page.cursor ? { "x-next-cursor": page.cursor } : {};
      return { statusCode: 200, body: page.items, headers };
    },
    createRequest: async ({ body, actor }) => {
      const request = await requests.create(body, { actor });
      return { statusCode: 201, body: request, headers: { Location: `/requests/${request.id}` } };
    },
    getRequest: async ({ params }) => {
      return { statusCode: 200, body: await requests.get(params.id) };
    },
    approveRequest: async ({ params, actor, body }) => {
      const { request, covers } = await requests.approve(params.id, { actor, ...body });
      return { statusCode: 200, body: { ...request, approvalCovers: covers } };
    },
    cancelRequest: async ({ params, actor }) => {
      return { statusCode: 200, body: await requests.cancel(params.id, { actor }) };
    },
  });
}
