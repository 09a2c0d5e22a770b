import { AT_RISK_HORIZON_MS, type TickReport, isAtRisk } from "@cbm/core";
import { drain } from "../platform/pages";
import type { TickContext } from "./context";
import { blockFields, describeError } from "./log-fields";

/**
 * Counts the blocks at risk into the report; each one gets a warning line. Only blocks ending within the at-risk
 * horizon are read (the index by end date, no writes), so the cost follows the blocks about to end, not the size of
 * the table. Returns whether the sweep completed.
 */
export async function sweepAtRisk(ctx: TickContext, report: TickReport, pageSize: number): Promise<boolean> {
  const now = ctx.clock.now();
  try {
    const from = now.toISOString();
    const to = new Date(now.getTime() + AT_RISK_HORIZON_MS).toISOString();
    const { items: ending } = await drain((page) => ctx.store.findEndingBetween(from, to, page), { limit: pageSize });
    const atRisk = ending.filter((b) => isAtRisk(b, now));
    for (const b of atRisk) {
      ctx.logger.warn("block at risk: ends within 24 h without a paid extension", {
        ...blockFields(b),
        endDate: b.endDate,
        status: b.status,
        statusReason: b.statusReason,
        hoursLeft: Math.round(((Date.parse(b.endDate!) - now.getTime()) / 3_600_000) * 10) / 10,
      });
    }
    report.blocksAtRisk = atRisk.length;
    return true;
  } catch (err) {
    ctx.logger.warn("at-risk sweep failed; retried next tick", { error: describeError(err) });
    return false;
  }
}
