import * as z from "zod";
import { isLadderHours } from "./ladder";
import { compareMoney } from "./money";
import { IsoDateTime, Money } from "./policy";
import { toMs } from "./time";

/** An AWS region name such as `us-east-1`. */
export const RegionName = z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, { message: "must be a region such as us-east-1" });

/** At most this many regions per search: each costs one describe call, and EC2 limits describes per region. */
export const MAX_SEARCH_REGIONS = 12;

/** An EC2 instance type name (`p5.48xlarge`), as searches and capacity requests name it. */
export const InstanceTypeName = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9.-]*$/, { message: "must be an instance type such as p5.48xlarge" });

/** Instances in one Capacity Block: 1 to 64. */
export const BlockInstanceCount = z.number().int().min(1).max(64);

/** A block or extension duration in hours, on EC2's ladder. */
export const LadderDurationHours = z
  .number()
  .int()
  .refine(isLadderHours, { message: "must be on the duration ladder: 24–336 h in 24 h steps, then 504–4368 h in 168 h steps" });

/**
 * What to look for: one instance type, count and duration (EC2 searches one duration at a time, on the ladder), in
 * a start/end range, in one or more regions. The same shape drives `GET /offerings`, the CLI and capacity requests.
 */
export const OfferingSearch = z
  .object({
    instanceType: InstanceTypeName,
    instanceCount: BlockInstanceCount,
    durationHours: LadderDurationHours,
    regions: z.array(RegionName).min(1).max(MAX_SEARCH_REGIONS),
    /** Earliest start (EC2's StartDateRange). */
    earliestStart: IsoDateTime.optional(),
    /** Latest end (EC2's EndDateRange). */
    latestEnd: IsoDateTime.optional(),
    /** Include zones the account has not opted into (EC2's AllAvailabilityZones). */
    allAvailabilityZones: z.boolean().optional(),
  })
  .refine((s) => !s.earliestStart || !s.latestEnd || toMs(s.latestEnd) > toMs(s.earliestStart), {
    message: "latestEnd must be after earliestStart",
    path: ["latestEnd"],
  });
export type OfferingSearch = z.infer<typeof OfferingSearch>;

/** One offering of a new Capacity Block, as EC2 quotes it: first come, first served, paid up front. */
export const BlockOffering = z.object({
  offeringId: z.string(),
  region: z.string(),
  availabilityZone: z.string(),
  instanceType: z.string(),
  instanceCount: z.number().int(),
  startDate: IsoDateTime,
  endDate: IsoDateTime,
  durationHours: z.number().int(),
  /** Extra minutes on top of the hours (a block starting at an odd time still ends at 11:30 UTC). */
  durationMinutes: z.number().int().min(0).max(59),
  upfrontFee: Money,
  currencyCode: z.string(),
});
export type BlockOffering = z.infer<typeof BlockOffering>;

/** An offering with its price per instance-hour, the figure people compare offerings by. */
export const RankedOffering = BlockOffering.extend({ pricePerInstanceHour: z.string() });
export type RankedOffering = z.infer<typeof RankedOffering>;

const SCALE = 6;

/**
 * `fee / (count × (hours + minutes/60))`, exactly, rounded half-up to 6 decimals. BigInt, never floats: the fee is
 * money. "3020.54" for 2 instances over 48 h is "31.464".
 */
export function pricePerInstanceHour(upfrontFee: string, instanceCount: number, durationHours: number, durationMinutes = 0): string {
  const [whole = "0", frac = ""] = upfrontFee.split(".");
  const feeUnits = BigInt(whole + frac); // fee × 10^frac.length
  const minutes = BigInt(instanceCount) * BigInt(durationHours * 60 + durationMinutes);
  if (minutes <= 0n) return "0";
  // fee per instance-hour = fee × 60 / instance-minutes, kept at SCALE decimals.
  const num = feeUnits * 60n * 10n ** BigInt(SCALE);
  const den = minutes * 10n ** BigInt(frac.length);
  const units = (num * 2n + den) / (2n * den);
  const digits = units.toString().padStart(SCALE + 1, "0");
  const int = digits.slice(0, -SCALE);
  const dec = digits.slice(-SCALE).replace(/0+$/, "");
  return dec ? `${int}.${dec}` : int;
}

/**
 * Offerings cheapest first (total fee, in one currency at a time), then earliest start, then region, zone and id,
 * so the order is total and the same offering list always ranks the same way.
 */
export function rankOfferings(offerings: readonly BlockOffering[]): RankedOffering[] {
  return offerings
    .map((o) => ({ ...o, pricePerInstanceHour: pricePerInstanceHour(o.upfrontFee, o.instanceCount, o.durationHours, o.durationMinutes) }))
    .sort(
      (a, b) =>
        a.currencyCode.localeCompare(b.currencyCode) ||
        compareMoney(a.upfrontFee, b.upfrontFee) ||
        toMs(a.startDate) - toMs(b.startDate) ||
        a.region.localeCompare(b.region) ||
        a.availabilityZone.localeCompare(b.availabilityZone) ||
        a.offeringId.localeCompare(b.offeringId),
    );
}

/** Why a region gave no offerings: it answered with none, or the search there failed (named, never hidden). */
export const RegionOutcome = z.object({
  region: z.string(),
  status: z.enum(["ok", "throttled", "failed"]),
  offerings: z.number().int(),
  message: z.string().optional(),
});
export type RegionOutcome = z.infer<typeof RegionOutcome>;

/** What an offering search answers: every region's outcome beside the offerings, so an empty list is never a silent failure. */
export const OfferingSearchResult = z.object({
  /** Cheapest first, with the price per instance-hour. */
  offerings: z.array(RankedOffering),
  /** One entry per region searched: a region that failed or was throttled is named, never silently empty. */
  regions: z.array(RegionOutcome),
});
export type OfferingSearchResult = z.infer<typeof OfferingSearchResult>;
