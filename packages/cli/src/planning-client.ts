import type { CapacityRequest, RankedOffering, RegionOutcome, SpendReport } from "@cbm/core";
import type { CbmClient } from "./client";

export interface OfferingsQuery {
  instanceType: string;
  instanceCount?: number;
  durationDays?: number;
  durationHours?: number;
  regions?: string[];
  earliestStart?: string;
  latestEnd?: string;
  allAvailabilityZones?: boolean;
}

export interface OfferingsResult {
  offerings: RankedOffering[];
  regions: RegionOutcome[];
}

/** GET /offerings (the planning API): cheapest first, with each region's outcome. */
export async function searchOfferings(client: CbmClient, q: OfferingsQuery): Promise<OfferingsResult> {
  const body = await client.request("GET", "/offerings", {
    query: {
      instanceType: q.instanceType,
      instanceCount: q.instanceCount,
      durationDays: q.durationDays,
      durationHours: q.durationHours,
      regions: q.regions?.join(","),
      earliestStart: q.earliestStart,
      latestEnd: q.latestEnd,
      allAvailabilityZones: q.allAvailabilityZones ? "true" : undefined,
    },
  });
  return body as OfferingsResult;
}

/** A capacity request as the API returns it (see core's CapacityRequest). */
export type CapacityRequestView = CapacityRequest & { approvalCovers?: string };

export async function createRequest(client: CbmClient, body: Record<string, unknown>): Promise<CapacityRequestView> {
  return (await client.request("POST", "/requests", { body })) as CapacityRequestView;
}

export async function listRequests(client: CbmClient): Promise<CapacityRequestView[]> {
  const body = await client.request("GET", "/requests", { query: { limit: 100 } });
  return Array.isArray(body) ? (body as CapacityRequestView[]) : [];
}

/**
 * `ref` is a request's id or its name (e.g. the demo's `demo-capacity`): the API resolves both, by one rule (ids
 * first; a live request holds its name), so the CLI sends it as given.
 */
const requestPath = (ref: string) => `/requests/${encodeURIComponent(ref)}`;

export async function getRequest(client: CbmClient, ref: string): Promise<CapacityRequestView> {
  return (await client.request("GET", requestPath(ref))) as CapacityRequestView;
}

export async function approveRequest(client: CbmClient, ref: string, comment?: string): Promise<CapacityRequestView> {
  return (await client.request("PATCH", requestPath(ref), comment ? { body: { comment } } : {})) as CapacityRequestView;
}

export async function cancelRequest(client: CbmClient, ref: string): Promise<CapacityRequestView> {
  return (await client.request("DELETE", requestPath(ref))) as CapacityRequestView;
}

export type SpendReportView = SpendReport & { truncated: boolean; csv?: string };

/** GET /reports/spend; with `csv`, the blocks as CSV text too. */
export async function spendReport(client: CbmClient, csv = false): Promise<SpendReportView> {
  return (await client.request("GET", "/reports/spend", csv ? { query: { format: "csv" } } : {})) as SpendReportView;
}

export interface UsageRowView {
  pk: string;
  capacityReservationId: string;
  running: number;
  total: number;
  state: string;
  sampledAt: string;
  last24h: number;
  idleHours: number;
  hours: { hour: string; meanRunning: number; maxRunning: number }[];
}

/** GET /reports/usage: current use and the last 24 h of each sampled block. */
export async function usageReport(client: CbmClient): Promise<{ blocks: UsageRowView[]; truncated: boolean }> {
  return (await client.request("GET", "/reports/usage")) as { blocks: UsageRowView[]; truncated: boolean };
}
