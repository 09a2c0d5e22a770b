import type { Block } from "./block";
import { HOUR_MS, sameInstant, toMs } from "./time";

/** A block whose end is this close, and that should be extended but is not paid for yet, needs a person. */
export const AT_RISK_HORIZON_MS = 24 * HOUR_MS;

/** Statuses in which a person (or EC2's final word) has decided the block ends, so an alarm would be noise. */
const NOT_AT_RISK_STATUSES: ReadonlySet<Block["status"]> = new Set(["denied", "expired"]);

/**
 * True when the block ends within `horizonMs` of `now` (and has not ended), its policy says to extend it (enabled,
 * `extendUntil` and `maxExtensions` not reached, not denied for this window) and no extension for the current
 * window is paid: a paid extension moves EC2's end date, so the stored `endDate` is the unpaid window. A bought
 * extension still `payment-pending` counts as at risk: the payment can still fail.
 */
export function isAtRisk(block: Block, now: Date, horizonMs: number = AT_RISK_HORIZON_MS): boolean {
  if (block.endDate === undefined) return false;
  const policy = block.policy;
  if (!policy.enabled || NOT_AT_RISK_STATUSES.has(block.status)) return false;
  const endMs = toMs(block.endDate);
  const left = endMs - now.getTime();
  if (left <= 0 || left > horizonMs) return false;
  if (policy.extendUntil !== undefined && endMs >= toMs(policy.extendUntil)) return false;
  if (policy.maxExtensions !== undefined && block.extensionsPurchased >= policy.maxExtensions) return false;
  if (sameInstant(block.denial?.window, block.endDate)) return false;
  return true;
}

/** How many of `blocks` are at risk at `now` (see isAtRisk). */
export function countAtRisk(blocks: readonly Block[], now: Date, horizonMs: number = AT_RISK_HORIZON_MS): number {
  return blocks.reduce((n, b) => n + (isAtRisk(b, now, horizonMs) ? 1 : 0), 0);
}
