import type { BlockMarket } from "@cbm/core";
import { searchOfferings } from "./use-cases/search-offerings";
import { toOfferingSearch } from "./offering-query";
import { OFFERING_CONTRACTS } from "./planning-contracts";
import { bindRoutes } from "../platform/http/route-table";
import type { AnyRoute } from "../platform/http/types";

export interface OfferingRoutesDeps {
  market: BlockMarket;
  /** Searched when the query names no region: where CBM runs. */
  defaultRegion: string;
}

/** GET /offerings: new Capacity Blocks on offer, cheapest first, across regions. Reads only; buys nothing. */
export function offeringRoutes({ market, defaultRegion }: OfferingRoutesDeps): AnyRoute[] {
  return bindRoutes(OFFERING_CONTRACTS, {
    searchOfferings: async ({ query }) => {
      const result = await searchOfferings(market, toOfferingSearch(query, defaultRegion));
      return { statusCode: 200, body: result };
    },
  });
}
