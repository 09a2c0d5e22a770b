import type { RankedOffering, RegionOutcome } from "@cbm/core";
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
