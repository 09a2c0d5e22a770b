import {
  type Block,
  type BlockStore,
  type Clock,
  type Ids,
  InfrastructureError,
  type Notifier,
  recordInterconnect,
  recordUsage,
  toMs,
  type UsageProbe,
  type UsageSample,
} from "@cbm/core";
import { applyIdleSkip } from "./idle-skip";
import type { UsageStore } from "../platform/ports/usage-store";

export interface SampleUsageDeps {
  store: Pick<BlockStore, "list" | "update">;
  usage: UsageStore;
  probe: UsageProbe;
  clock: Clock;
  /** For the idle skip's history event and notice (policy skipExtensionWhenIdleHours). */
  ids: Ids;
  notifier: Notifier;
  /** Blocks per run (one page of the blocks index): bounded calls and writes per minute. */
  pageSize?: number;
  /** Pause between full passes: a block is sampled about this often, not every minute. */
  passEveryMs?: number;
}

export interface UsageReport {
  sampled: number;
  skipped: "not-yet" | null;
  failedRegions: string[];
  /** Regions whose DescribeCapacityBlockStatus failed or was throttled: their blocks keep the last status read. */
  interconnectFailedRegions: string[];
}

/**
 * Records the instances running in managed blocks: one page of the `blocks` index per run (continuing where the
 * last run stopped), one DescribeCapacityReservations and one DescribeCapacityBlockStatus per region for that page,
 * one small usage item per block. A full pass then rests `passEveryMs`, so usage costs a few calls per block per
 * ten minutes, never a scan.
 */
export async function sampleUsage(deps: SampleUsageDeps): Promise<UsageReport> {
  const now = deps.clock.now().toISOString();
  const state = await deps.usage.sampler();
  if (!state.cursor && state.passEndedAt && toMs(now) - toMs(state.passEndedAt) < (deps.passEveryMs ?? 10 * 60_000)) {
    return { sampled: 0, skipped: "not-yet", failedRegions: [], interconnectFailedRegions: [] };
  }
  const page = await deps.store.list({ limit: deps.pageSize ?? 100, ...(state.cursor ? { cursor: state.cursor } : {}) });
  const byRegion = new Map<string, { pk: string; id: string; block: Block }[]>();
  for (const b of page.items) {
    // Ended blocks run nothing; a block not yet reconciled (no endDate) is sampled: EC2 knows.
    if (b.endDate && toMs(b.endDate) <= toMs(now)) continue;
    const list = byRegion.get(b.region) ?? [];
    list.push({ pk: b.PK, id: b.capacityReservationId, block: b });
    byRegion.set(b.region, list);
  }
  let sampled = 0;
  const failedRegions: string[] = [];
  const interconnectFailedRegions: string[] = [];
  for (const [region, blocks] of byRegion) {
    let samples;
    try {
      samples = await deps.probe.sample(
        region,
        blocks.map((b) => b.id),
      );
    } catch (err) {
      if (!(err instanceof InfrastructureError)) throw err;
      failedRegions.push(region);
      continue;
    }
    const interconnect = await interconnectOf(deps.probe, region, [...samples.values()]);
    if (!interconnect) interconnectFailedRegions.push(region);
    for (const b of blocks) {
      const s = samples.get(b.id);
      if (!s) continue;
      const status = s.capacityBlockId ? interconnect?.get(s.capacityBlockId) : undefined;
      const sampledUsage = recordUsage(await deps.usage.get(b.pk), b.pk, s, now);
      const usage = status ? recordInterconnect(sampledUsage, status, now) : sampledUsage;
      await deps.usage.put(usage);
      sampled++;
      await applyIdleSkip({ store: deps.store, notifier: deps.notifier, ids: deps.ids }, b.block, usage, deps.clock.now());
    }
  }
  await deps.usage.saveSampler(
    page.cursor ? { cursor: page.cursor, ...(state.passEndedAt ? { passEndedAt: state.passEndedAt } : {}) } : { passEndedAt: now },
  );
  return { sampled, skipped: null, failedRegions, interconnectFailedRegions };
}

/**
 * Interconnect statuses by `cb-` id for the blocks just sampled, or null when the call failed. Best effort: any
 * failure (throttle, timeout, an error EC2 has not documented) leaves the statuses as last read and never stops
 * the sampling of running instances, the idle skip, or the run this sampling rides on.
 */
async function interconnectOf(probe: UsageProbe, region: string, samples: UsageSample[]): Promise<Map<string, string> | null> {
  const ids = samples.flatMap((s) => (s.capacityBlockId ? [s.capacityBlockId] : []));
  if (ids.length === 0) return new Map();
  return probe.interconnect(region, ids).catch(() => null);
}
