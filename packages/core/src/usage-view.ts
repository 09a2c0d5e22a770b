import * as z from "zod";
import { IsoDateTime } from "./policy";
import { type BlockUsage, idleHours, InterconnectReading, lastDayHours, usedInstanceHours } from "./usage";

/** One hour of the last 24 h as a block shows it: mean and peak instances running, of how many. */
export const UsageHourView = z.object({
  /** `YYYY-MM-DDTHH` (UTC). */
  hour: z.string(),
  meanRunning: z.number().min(0),
  maxRunning: z.number().int().min(0),
  total: z.number().int().min(0),
});
export type UsageHourView = z.infer<typeof UsageHourView>;

/** What a block shows of its usage (`GET /{PK}`'s `usage`): current use, interconnect, idleness and the last 24 h. */
export const BlockUsageView = z.object({
  running: z.number().int().min(0),
  total: z.number().int().min(0),
  /** The reservation's state at the last sample (`active`, `scheduled` …). */
  state: z.string(),
  /** When the last sample was taken. */
  at: IsoDateTime,
  /** EC2's interconnect status (DescribeCapacityBlockStatus); null until it has answered for this block. */
  interconnect: InterconnectReading.nullable(),
  idleSince: IsoDateTime.nullable(),
  idleHours: z.number().int().min(0),
  /** Instance-hours used in the last 24 h (mean running × 1 h per sampled hour). */
  last24hInstanceHours: z.number().min(0),
  /** Hourly aggregates of the last 24 h, oldest first; hours without a sample are absent. */
  last24h: z.array(UsageHourView).max(24),
});
export type BlockUsageView = z.infer<typeof BlockUsageView>;

const round2 = (n: number) => Math.round(n * 100) / 100;

/** The block's usage as shown at `now`: the last 24 h are the hourly aggregates of the day before `now`. */
export function usageView(u: BlockUsage, now: string): BlockUsageView {
  const last24h = lastDayHours(u, now).map((h) => ({
    hour: h.hour,
    meanRunning: round2(h.runningSum / h.samples),
    maxRunning: h.runningMax,
    total: h.total,
  }));
  return {
    ...u.current,
    interconnect: u.interconnect ?? null,
    idleSince: u.idleSince,
    idleHours: idleHours(u, now),
    last24hInstanceHours: usedInstanceHours(u, now).last24h,
    last24h,
  };
}
