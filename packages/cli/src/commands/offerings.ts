import type { Command, Values } from "../command";
import { UsageError } from "../errors";
import { dateFlag, ladderDays, ladderHours, wholeInRange } from "../flag-values";
import { shortDate, table } from "../format";
import { searchOfferings, type OfferingsQuery, type OfferingsResult } from "../planning-client";

/** The flags shared by `cbm offerings` and `cbm request add`: what, how long, when and where. */
export function searchFromFlags(values: Values): OfferingsQuery {
  const instanceType = values.type as string | undefined;
  if (!instanceType) throw new UsageError("--type is required (e.g. --type p5.48xlarge)");
  const days = ladderDays(values, "days");
  const hours = ladderHours(values, "hours");
  if (days === undefined && hours === undefined) throw new UsageError("--days (or --hours) is required");
  const regions = (values.regions as string | undefined)
    ?.split(",")
    .map((r) => r.trim())
    .filter(Boolean);
  const count = wholeInRange(values, "count", 1, 64, "instances in one Capacity Block");
  const from = dateFlag(values, "from");
  const to = dateFlag(values, "to");
  return {
    instanceType,
    ...(count !== undefined ? { instanceCount: count } : {}),
    ...(days !== undefined ? { durationDays: days } : {}),
    ...(hours !== undefined ? { durationHours: hours } : {}),
    ...(regions?.length ? { regions } : {}),
    ...(from ? { earliestStart: from } : {}),
    ...(to ? { latestEnd: to } : {}),
    ...(values["all-zones"] ? { allAvailabilityZones: true } : {}),
  };
}

export const SEARCH_OPTIONS = {
  type: { type: "string" },
  count: { type: "string" },
  days: { type: "string" },
  hours: { type: "string" },
  regions: { type: "string" },
  from: { type: "string" },
  to: { type: "string" },
  "all-zones": { type: "boolean" },
} as const;

export function offeringsTable(result: OfferingsResult): string {
  return table(
    ["PRICE/INST-H", "TOTAL FEE", "REGION", "ZONE", "COUNT", "START", "END", "OFFERING"],
    result.offerings.map((o) => [
      o.pricePerInstanceHour,
      `${o.upfrontFee} ${o.currencyCode}`,
      o.region,
      o.availabilityZone,
      String(o.instanceCount),
      shortDate(o.startDate),
      shortDate(o.endDate),
      o.offeringId,
    ]),
  );
}

export const offeringsCommand: Command = {
  name: "offerings",
  summary: "Search Capacity Block offerings across regions, cheapest first (buys nothing)",
  usage: "cbm offerings --type TYPE --days N [--count N] [--regions r1,r2] [--from DATE] [--to DATE] [--all-zones] [--json]",
  help:
    "--days/--hours must be on EC2's ladder (1–14 days, then weekly to 182). Regions are searched in parallel;\n" +
    "a region that is throttled (CapacityBlockDescribeLimitExceeded) or fails is named on stderr.",
  options: SEARCH_OPTIONS,
  args: [],
  async run(ctx) {
    const query = searchFromFlags(ctx.values);
    const result = await searchOfferings(await ctx.client(), query);
    // Region problems go to stderr in both modes, so --json stays one document and the table stays a table.
    for (const r of result.regions) if (r.status !== "ok") ctx.io.stderr.write(`warning: ${r.region} ${r.status}: ${r.message ?? ""}\n`);
    if (ctx.json) {
      ctx.out(JSON.stringify(result, null, 2));
      return 0;
    }
    ctx.out(
      result.offerings.length
        ? offeringsTable(result)
        : "No offerings match. Try other dates, regions (--regions), a shorter duration or fewer instances.",
    );
    return 0;
  },
};
