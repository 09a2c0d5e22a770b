import type { Block } from "@cbm/core";
import type { BlockUseCases, InputWarning } from "./use-cases";
import { DEFAULT_PAGE_LIMIT, etag, parseIfMatch } from "../platform/http/schemas";
import { bindRoutes } from "../platform/http/route-table";
import type { AnyRoute, ApiEvent } from "../platform/http/types";
import { BLOCK_CONTRACTS } from "./block-contracts";

export interface BlockRoutesOptions {
  /** Public base URL (API_URL) for absolute `Link` headers; without it links are relative to the request path. */
  apiUrl?: string;
}

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
  return bindRoutes(BLOCK_CONTRACTS, {
    listBlocks: async ({ query, event }) => {
      const limit = query.limit ?? DEFAULT_PAGE_LIMIT;
      const page = await blocks.list({ limit, cursor: query.cursor });
      return { statusCode: 200, body: page.items, headers: pageHeadersFor(event, apiUrl, limit, page.cursor) };
    },
    getBlock: async ({ params }) => {
      const block = await blocks.show(params.PK);
      return { statusCode: 200, body: block, headers: { ETag: etag(block.version) } };
    },
    createBlock: async ({ body, actor }) => {
      const { block, warnings } = await blocks.create(body, { actor });
      return {
        statusCode: 201,
        body: withWarnings(block, warnings),
        headers: { ETag: etag(block.version), Location: `/${encodeURIComponent(block.PK)}` },
      };
    },
    updateBlock: async ({ params, body, actor, headers }) => {
      const { block, warnings } = await blocks.update(params.PK, body, {
        actor,
        ifMatch: parseIfMatch(headers["if-match"]),
      });
      return { statusCode: 200, body: withWarnings(block, warnings), headers: { ETag: etag(block.version) } };
    },
    deleteBlock: async ({ params, actor, headers }) => {
      const block = await blocks.remove(params.PK, { actor, ifMatch: parseIfMatch(headers["if-match"]) });
      return { statusCode: 200, body: block };
    },
    approveBlock: async ({ params, actor, body }) => {
      const { block, covers, note } = await blocks.approve(params.PK, { actor, ...body });
      // `approvalCovers` says in words what the approval allows CBM to buy (and nothing else).
      return {
        statusCode: 200,
        body: { ...block, verdictNote: note, ...(covers ? { approvalCovers: covers } : {}) },
        headers: { ETag: etag(block.version) },
      };
    },
    denyBlock: async ({ params, actor, body }) => {
      const { block, note } = await blocks.deny(params.PK, { actor, ...body });
      return { statusCode: 200, body: { ...block, verdictNote: note }, headers: { ETag: etag(block.version) } };
    },
    resetSpend: async ({ params, actor, body }) => {
      const block = await blocks.resetSpend(params.PK, { actor, ...body });
      return { statusCode: 200, body: block, headers: { ETag: etag(block.version) } };
    },
    blockHistory: async ({ params, query, event }) => {
      const limit = query.limit ?? DEFAULT_PAGE_LIMIT;
      const page = await blocks.history(params.PK, { limit, cursor: query.cursor });
      return { statusCode: 200, body: page.items, headers: pageHeadersFor(event, apiUrl, limit, page.cursor) };
    },
  });
}
