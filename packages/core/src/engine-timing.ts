import type { EngineSettings } from "./engine-types";
import { MINUTE_MS, isoAt } from "./time";

/** How often an in-flight payment, a pending reservation or a bought-but-unsettled window is polled. */
export const PAYMENT_POLL_MS = 5 * MINUTE_MS;
/** Slack after an end date before looking again, so EC2 has flipped the state to `expired` (or moved the end). */
export const AFTER_END_MS = 5 * MINUTE_MS;

/** Exponential backoff delay after `failures` consecutive failures: base × 2^failures, capped at the maximum. */
export function backoffDelayMs(failures: number, settings: Pick<EngineSettings, "backoffBaseMs" | "backoffMaxMs">): number {
  // The exponent is capped so 2^failures cannot overflow to Infinity on a long-failing block.
  const factor = 2 ** Math.min(Math.max(failures, 0), 30);
  return Math.min(settings.backoffBaseMs * factor, settings.backoffMaxMs);
}

/** The instant to retry at after `failures` consecutive failures (always after `now`). */
export function backoffUntil(failures: number, now: Date, settings: Pick<EngineSettings, "backoffBaseMs" | "backoffMaxMs">): string {
  return isoAt(now.getTime() + Math.max(backoffDelayMs(failures, settings), 1));
}
