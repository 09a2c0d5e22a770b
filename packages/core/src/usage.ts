import * as z from "zod";
import { IsoDateTime } from "./policy";
import { HOUR_MS, toMs } from "./time";

/** What EC2 says a block is using now: running = total − available while active (0 available before the start). */
export interface UsageSample {
  capacityReservationId: string;
  state: string;
  total: number;
  available: number;
  /** The `cb-` block the reservation belongs to: DescribeCapacityBlockStatus is asked by this id. */
  capacityBlockId?: string;
}

/** EC2 reads for usage; one instance serves every region. */
export interface UsageProbe {
  /** Batched DescribeCapacityReservations; ids EC2 does not know are absent from the map. */
  sample(region: string, ids: string[]): Promise<Map<string, UsageSample>>;
  /**
   * Batched DescribeCapacityBlockStatus: the interconnect status (`ok`, `impaired`, `insufficient-data`) by `cb-` id;
   * blocks EC2 reports no status for (unknown, or scheduled and not assessed yet) are absent.
   */
  interconnect(region: string, capacityBlockIds: string[]): Promise<Map<string, string>>;
}

/** Reads a block's stored usage; undefined before its first sample. */
export interface UsageReader {
  get(pk: string): Promise<BlockUsage | undefined>;
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

/** Interconnect status changes kept per block: enough to see a block flap, bounded so the item stays small. */
export const MAX_INTERCONNECT_CHANGES = 24;

/** The last interconnect status EC2 reported: `at` when it was read, `since` when it became this status. */
export const InterconnectReading = z.object({ status: z.string().min(1), at: IsoDateTime, since: IsoDateTime });
export type InterconnectReading = z.infer<typeof InterconnectReading>;

/** A managed block's usage: the last sample and hourly aggregates, oldest first, at most MAX_USAGE_HOURS. */
export const BlockUsage = z.object({
  pk: z.string(),
  capacityReservationId: z.string(),
  current: z.object({ at: IsoDateTime, running: z.number().int().min(0), total: z.number().int().min(0), state: z.string() }),
  hours: z.array(UsageHour).max(MAX_USAGE_HOURS),
  /** Since when nothing has run while the block was active; null while something runs (or before the start). */
  idleSince: IsoDateTime.nullable(),
  /** Absent until DescribeCapacityBlockStatus has answered for the block once (sampling it is best effort). */
  interconnect: InterconnectReading.optional(),
  /** Each change of the interconnect status, oldest first, at most MAX_INTERCONNECT_CHANGES. */
  interconnectChanges: z
    .array(z.object({ status: z.string().min(1), at: IsoDateTime }))
    .max(MAX_INTERCONNECT_CHANGES)
    .optional(),
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
    ...(prev?.interconnect ? { interconnect: prev.interconnect } : {}),
    ...(prev?.interconnectChanges ? { interconnectChanges: prev.interconnectChanges } : {}),
    pk,
    capacityReservationId: s.capacityReservationId,
    current: { at: now, running, total: s.total, state: s.state },
    hours: hours.slice(-MAX_USAGE_HOURS),
    idleSince: idle ? (prev?.idleSince ?? now) : null,
  };
}

/** Records an interconnect status read at `now`: the reading moves on, and a change of status is kept (bounded). */
export function recordInterconnect(u: BlockUsage, status: string, now: string): BlockUsage {
  const prev = u.interconnect;
  if (prev?.status === status) return { ...u, interconnect: { status, at: now, since: prev.since } };
  return {
    ...u,
    interconnect: { status, at: now, since: now },
    interconnectChanges: [...(u.interconnectChanges ?? []), { status, at: now }].slice(-MAX_INTERCONNECT_CHANGES),
  };
}

/** Whole hours the block has been idle at `now` (0 when something runs). */
export function idleHours(u: BlockUsage | undefined, now: string): number {
  if (!u?.idleSince) return 0;
  return Math.floor((toMs(now) - toMs(u.idleSince)) / HOUR_MS);
}

/**
 * The hourly aggregates of the last 24 h: the hours that overlap the day before `now`, at most the latest 24 (the
 * current hour and the one a day ago are both partial; the older goes once the current has a sample).
 */
export function lastDayHours(u: BlockUsage, now: string): UsageHour[] {
  const from = new Date(toMs(now) - 24 * HOUR_MS).toISOString().slice(0, 13);
  const until = now.slice(0, 13);
  return u.hours.filter((h) => h.hour >= from && h.hour <= until).slice(-24);
}

/** Used instance-hours over the hours kept (mean running × 1 h per aggregated hour), and over the last 24 h. */
export function usedInstanceHours(u: BlockUsage | undefined, now: string): { total: number; last24h: number } {
  if (!u) return { total: 0, last24h: 0 };
  const used = (hours: readonly UsageHour[]) => Math.round(hours.reduce((sum, h) => sum + h.runningSum / h.samples, 0) * 100) / 100;
  return { total: used(u.hours), last24h: used(lastDayHours(u, now)) };
}
