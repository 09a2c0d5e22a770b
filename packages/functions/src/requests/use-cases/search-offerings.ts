import {
  type BlockMarket,
  InfrastructureError,
  type OfferingSearch,
  type OfferingSearchResult,
  type RegionOutcome,
  rankOfferings,
  ThrottledError,
} from "@cbm/core";

/**
 * Searches every region of `search` at once (offerings are first come, first served: a slow sequential search
 * loses them) and ranks what all regions offer. One region's failure does not hide the others' offerings.
 * Only infrastructure failures are caught per region; anything else is a bug and fails the search. When no region
 * answered, the first failure is thrown (a 503), so "nothing on offer" always means EC2 said so.
 */
export async function searchOfferings(market: BlockMarket, search: OfferingSearch): Promise<OfferingSearchResult> {
  const { regions, ...query } = search;
  const unique = [...new Set(regions)];
  const settled = await Promise.allSettled(unique.map((region) => market.offerings(region, query)));
  const outcomes: RegionOutcome[] = [];
  const found = [];
  let firstFailure: unknown;
  for (const [i, result] of settled.entries()) {
    const region = unique[i]!;
    if (result.status === "fulfilled") {
      // A region answers only for itself; anything else in its answer would be misattributed.
      const mine = result.value.filter((o) => o.region === region && o.instanceType === query.instanceType);
      found.push(...mine);
      outcomes.push({ region, status: "ok", offerings: mine.length });
    } else if (result.reason instanceof InfrastructureError) {
      const status = result.reason instanceof ThrottledError ? "throttled" : "failed";
      outcomes.push({ region, status, offerings: 0, message: result.reason.message });
      firstFailure ??= result.reason;
    } else {
      throw result.reason;
    }
  }
  // Nothing answered: an empty list would read as "no capacity anywhere", which nobody was told. Fail instead.
  if (!outcomes.some((o) => o.status === "ok")) throw firstFailure;
  return { offerings: rankOfferings(found), regions: outcomes };
}
