import type { BlockMarket } from "@cbm/core";
import { searchOfferings } from "../use-cases/offerings/search-offerings";
import { OFFERINGS_QUERY_DOCS, OfferingsQuery, toOfferingSearch } from "./offering-query";
import { defineRoute, type AnyRoute } from "./types";

export interface OfferingRoutesDeps {
  market: BlockMarket;
  /** Searched when the query names no region: where CBM runs. */
  defaultRegion: string;
}

/** GET /offerings: new Capacity Blocks on offer, cheapest first, across regions. Reads only; buys nothing. */
export function offeringRoutes({ market, defaultRegion }: OfferingRoutesDeps): AnyRoute[] {
  return [
    defineRoute({
      method: "GET",
      path: "/offerings",
      operationId: "searchOfferings",
      summary: "Search Capacity Block offerings in one or more regions (in parallel), cheapest first, with the price per instance-hour",
      query: OfferingsQuery,
      queryDocs: OFFERINGS_QUERY_DOCS,
      responses: {
        200: { description: "`offerings` (cheapest first) and `regions` (per region: ok, throttled or failed, with a message)" },
        400: { description: "Invalid search (VALIDATION_FAILED) with the fields at fault", schema: "Error" },
        403: { description: "Missing or wrong API key", schema: "Forbidden" },
        503: {
          description: "Every region failed or was throttled (CapacityBlockDescribeLimitExceeded refills slowly); retry later",
          schema: "Error",
        },
      },
      async handler({ query }) {
        const result = await searchOfferings(market, toOfferingSearch(query, defaultRegion));
        return { statusCode: 200, body: result };
      },
    }),
  ];
}
