import { Ec2Error } from "./errors";
import type { QueryParams } from "./query-parser";

const DEFAULT_PAGE = 1000;

/**
 * NextToken is opaque base64 of {offset, hash of the query}: the offset points into the caller's candidate list
 * (which only grows), and the hash rejects a token replayed with other filters, region or account.
 */
export interface PageRequest {
  offset: number;
  maxResults: number;
  queryHash: string;
}

export function pageRequest(
  params: QueryParams,
  scope: { action: string; region: string; accountId: string },
  limits: { min?: number; max?: number } = {},
): PageRequest {
  const maxResults = params.int("MaxResults", { min: limits.min ?? 1, max: limits.max ?? 1000 }) ?? DEFAULT_PAGE;
  const queryHash = hashQuery(params, scope);
  const token = params.string("NextToken");
  return { offset: token === undefined ? 0 : decodeToken(token, queryHash), maxResults, queryHash };
}

/**
 * Collects up to `maxResults` matching items from `offset`, then looks ahead for one more match so the last page
 * carries no token (the SDK paginator would otherwise make one extra call for an empty page).
 */
export function page<T>(candidates: readonly T[], request: PageRequest, matches: (item: T) => boolean): { items: T[]; nextToken?: string } {
  if (request.offset > candidates.length) throw invalidToken();
  const items: T[] = [];
  let i = request.offset;
  for (; i < candidates.length && items.length < request.maxResults; i++) {
    if (matches(candidates[i]!)) items.push(candidates[i]!);
  }
  for (; i < candidates.length; i++) {
    if (matches(candidates[i]!)) return { items, nextToken: encodeToken(i, request.queryHash) };
  }
  return { items };
}

function encodeToken(offset: number, queryHash: string): string {
  return Buffer.from(JSON.stringify({ v: 1, o: offset, h: queryHash })).toString("base64");
}

function decodeToken(token: string, queryHash: string): number {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, "base64").toString("utf8"));
  } catch {
    throw invalidToken();
  }
  const { o, h } = (parsed ?? {}) as { o?: unknown; h?: unknown };
  if (typeof o !== "number" || !Number.isInteger(o) || o < 0 || h !== queryHash) throw invalidToken();
  return o;
}

function invalidToken(): Ec2Error {
  return new Ec2Error("InvalidNextToken", "The specified NextToken is not valid.");
}

const PAGING_KEYS = new Set(["MaxResults", "NextToken", "DryRun"]);

function hashQuery(params: QueryParams, scope: { action: string; region: string; accountId: string }): string {
  const parts = params
    .entries()
    .filter(([key]) => !PAGING_KEYS.has(key))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`);
  return fnv1a([scope.action, scope.region, scope.accountId, ...parts].join("&"));
}

function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, "0");
}
