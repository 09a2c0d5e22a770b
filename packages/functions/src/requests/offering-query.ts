import * as z from "zod";
import { OfferingSearch, parseOrThrow, ValidationError } from "@cbm/core";

const IntString = z
  .string()
  .regex(/^\d{1,5}$/, { message: "must be a whole number" })
  .transform(Number);

/**
 * `GET /offerings` query string (the wire form): durations in hours or days, regions as a comma list. It becomes
 * core's OfferingSearch, which holds the business rules (ladder, counts, ranges).
 */
export const OfferingsQuery = z
  .object({
    instanceType: z.string().max(64).describe("Instance type, e.g. p5.48xlarge"),
    instanceCount: IntString.optional().describe("Instances, 1–64 (default 1)"),
    durationHours: IntString.optional().describe("Duration in hours on the ladder (24–336 step 24, 504–4368 step 168); or durationDays"),
    durationDays: IntString.optional().describe("Duration in days on the ladder (1–14, then weekly to 182); or durationHours"),
    regions: z.string().max(400).optional().describe("Comma-separated regions, searched in parallel (default: CBM's region)"),
    earliestStart: z.string().max(40).optional().describe("Earliest start, ISO 8601"),
    latestEnd: z.string().max(40).optional().describe("Latest end, ISO 8601"),
    allAvailabilityZones: z.enum(["true", "false"]).optional().describe("Include zones the account has not opted into"),
  })
  .strict();
export type OfferingsQuery = z.infer<typeof OfferingsQuery>;

/** The query as a search; `defaultRegion` (where CBM runs) when it names none. */
export function toOfferingSearch(q: OfferingsQuery, defaultRegion: string): OfferingSearch {
  if (q.durationHours !== undefined && q.durationDays !== undefined) {
    throw new ValidationError([
      { field: "durationDays", message: "give durationHours or durationDays, not both", code: "invalid_combination" },
    ]);
  }
  const hours = q.durationHours ?? (q.durationDays !== undefined ? q.durationDays * 24 : undefined);
  if (hours === undefined)
    throw new ValidationError([{ field: "durationDays", message: "is required (or durationHours)", code: "required" }]);
  return parseOrThrow(OfferingSearch, {
    instanceType: q.instanceType,
    instanceCount: q.instanceCount ?? 1,
    durationHours: hours,
    regions: q.regions
      ? q.regions
          .split(",")
          .map((r) => r.trim())
          .filter(Boolean)
      : [defaultRegion],
    ...(q.earliestStart !== undefined ? { earliestStart: q.earliestStart } : {}),
    ...(q.latestEnd !== undefined ? { latestEnd: q.latestEnd } : {}),
    ...(q.allAvailabilityZones === "true" ? { allAvailabilityZones: true } : {}),
  });
}
