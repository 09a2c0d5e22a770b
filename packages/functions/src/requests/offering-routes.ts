import type { BlockMarket } from "@cbm/core";
import { searchOfferings } from "./use-cases/search-offerings";
import { toOfferingSearch } from "./offering-query";
import { PLANNING_CONTRACTS } from "./planning-contracts";
import { defineRoute, type AnyRoute } from "../platform/http/types";

export interface OfferingRoutesDeps {
  market: BlockMarket;
  /** Searched when the query names no region: where CBM runs. */
  defaultRegion: string;
}

/** GET /offerings: new Capacity Blocks on offer, cheapest first, across regions. Reads only; buys nothing. */
export function offeringRoutes({ market, defaultRegion }: OfferingRoutesDeps): AnyRoute[] {
  return [
    defineRoute({
      ...PLANNING_CONTRACTS["GET /offerings"],
      async handler({ query }) {
        const result = await searchOfferings(market, toOfferingSearch(query, defaultRegion));
        return { statusCode: 200, body: result };
      },
    }),
  ];
}
