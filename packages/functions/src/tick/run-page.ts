import {
  type Block,
  type CapacityProvider,
  type ExtensionRecord,
  type ReservationView,
  type TickReport,
  VersionConflictError,
} from "@cbm/core";
import { recordFailure } from "./carry-out";
import type { Run, TickContext } from "./context";
import { blockFields, describeError } from "./log-fields";
import { pool } from "../platform/pool";
import { processBlock } from "./process-block";

type RegionTruth = { reservations: Map<string, ReservationView>; history: Map<string, ExtensionRecord[]> } | { error: unknown };

/** EC2's truth for a page of due blocks: one batched describe per region; one region's failure leaves the others alone. */
async function refresh(ctx: TickContext, ec2: CapacityProvider, blocks: Block[]): Promise<Map<string, RegionTruth>> {
  const byRegion = new Map<string, Block[]>();
  for (const b of blocks) byRegion.set(b.region, [...(byRegion.get(b.region) ?? []), b]);
  const truth = new Map<string, RegionTruth>();
  await Promise.all(
    [...byRegion].map(async ([region, list]) => {
      const ids = list.map((b) => b.capacityReservationId);
      try {
        // Both calls end before the region's outcome is known: with Promise.all a throttled describe ended the tick
        // while the history call still retried, so an EC2 call could land after the tick had returned.
        const [reservations, history] = await Promise.allSettled([
          ec2.describeReservations(region, ids),
          ec2.extensionHistory(region, ids),
        ]);
        if (reservations.status === "rejected") throw reservations.reason;
        if (history.status === "rejected") throw history.reason;
        truth.set(region, { reservations: reservations.value, history: history.value });
      } catch (error) {
        ctx.logger.warn("region refresh failed; its blocks back off", { region, blocks: list.length, error: describeError(error) });
        truth.set(region, { error });
      }
    }),
  );
  return truth;
}

/**
 * Processes one page of due blocks, `concurrency` at a time, each isolated: one block's error, throttle or lost
 * race does not stop the others. A block is counted `processed` once its decision (or failure) is written, and
 * `skipped` when the deadline came first or another writer won.
 */
export async function runPage(
  ctx: TickContext,
  blocks: Block[],
  opts: { report: TickReport; ec2: CapacityProvider; concurrency: number; timeLeft: () => boolean },
): Promise<void> {
  if (blocks.length === 0) return;
  const { report, ec2 } = opts;
  const truth = await refresh(ctx, ec2, blocks);
  await pool(blocks, opts.concurrency, async (block) => {
    if (!opts.timeLeft()) {
      report.deadlineReached = true;
      report.skipped++;
      return;
    }
    const t = truth.get(block.region)!;
    const run: Run = { stored: block, report, ec2 };
    try {
      if ("error" in t) throw t.error;
      await processBlock(ctx, run, t.reservations.get(block.capacityReservationId), t.history.get(block.capacityReservationId) ?? []);
    } catch (err) {
      if (err instanceof VersionConflictError) {
        // Someone else (another tick, a person through the API) wrote first; the block is looked at again later.
        report.conflicts++;
        report.skipped++;
        ctx.logger.info("block changed concurrently; left for a later tick", blockFields(block));
        return;
      }
      await recordFailure(ctx, run, err);
    }
    report.processed++;
  });
}
