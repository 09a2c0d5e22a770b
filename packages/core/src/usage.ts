import * as z from "zod";
import { IsoDateTime } from "./policy";
import { HOUR_MS, toMs } from "./time";

/** What EC2 says a block is using now: running = total − available while active (0 available before the start). */
export interface UsageSample {
  capacityReservationId: string;
  state: string;
  total: number;
  available: number;
}

/** EC2 reads for usage; one instance serves every region. */
export interface UsageProbe {
  /** Batched DescribeCapacityReservations; ids EC2 does not know are absent from the map. */
  sample(region: string, ids: string[]): Promise<Map<string, UsageSample>>;
}

/** Hourly aggregates kept per block: two weeks, so the record stays small (a few KB) however long the block lives. */
export const MAX_USAGE_HOURS = 14 * 24;

export const UsageHour = z.object({
  /** `YYYY-MM-DDTHH` (UTC). */
  hour: z.string(),
  samples: z.number().int().min(1),
  runningSum: z.number().int().min(0),
  runningMax: z.number().int().min(0),
  total: z.number().int().min(0),
});
export type UsageHour = z.infer<typeof UsageHour>;

/** A managed block's usage: the last sample and hourly aggregates, oldest first, at most MAX_USAGE_HOURS. */
export const BlockUsage = z.object({
  pk: z.string(),
  capacityReservationId: z.string(),
  current: z.object({ at: IsoDateTime, running: z.number().int().min(0), total: z.number().int().min(0), state: z.string() }),
  hours: z.array(UsageHour).max(MAX_USAGE_HOURS),
  /** Since when nothing has run while the block was active; null while something runs (or before the start). */
  idleSince: IsoDateTime.nullable(),
});
export type BlockUsage = z.infer<typeof BlockUsage>;

/** Instances running according to a sample: only an active block can run anything. */
export function runningOf(s: UsageSample): number {
  return s.state === "active" ? Math.max(0, s.total - s.available) : 0;
}

/** Adds one sample to the block's usage: updates the current hour's aggregate, keeps two weeks, tracks idleness. */
export function recordUsage(prev: BlockUsage | undefined, pk: string, s: UsageSample, now: string): BlockUsage {
  const running = runningOf(s);
  const hour = now.slice(0, 13);
  const hours = [...(prev?.hours ?? [])];
  const last = hours[hours.length - 1];
  if (last && last.hour === hour) {
    hours[hours.length - 1] = {
      hour,
      samples: last.samples + 1,
      runningSum: last.runningSum + running,
      runningMax: Math.max(last.runningMax, running),
      total: s.total,
    };
  } else {
    hours.push({ hour, samples: 1, runningSum: running, runningMax: running, total: s.total });
  }
  const idle = s.state === "active" && running === 0;
  return {
    pk,
    capacityReservationId: s.capacityReservationId,
    current: { at: now, running, total: s.total, state: s.state },
    hours: hours.slice(-MAX_USAGE_HOURS),
    idleSince: idle ? (prev?.idleSince ?? now) : null,
  };
}

/** Whole hours the block has been idle at `now` (0 when something runs). */
export function idleHours(u: BlockUsage | undefined, now: string): number {
  if (!u?.idleSince) return 0;
  return Math.floor((toMs(now) - toMs(u.idleSince)) / HOUR_MS);
}

/** Used instance-hours over the hours kept (mean running × 1 h per aggregated hour), and over the last 24 h. */
export function usedInstanceHours(u: BlockUsage | undefined, now: string): { total: number; last24h: number } {
  if (!u) return { total: 0, last24h: 0 };
  const since = new Date(toMs(now) - 24 * HOUR_MS).toISOString().slice(0, 13);
  let total = 0;
  let last24h = 0;
  for (const h of u.hours) {
    const used = h.runningSum / h.samples;
    total += used;
    if (h.hour > since) last24h += used;
  }
  return { total: Math.round(total * 100) / 100, last24h: Math.round(last24h * 100) / 100 };
}
