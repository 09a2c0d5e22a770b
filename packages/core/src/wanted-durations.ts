import { ladderCeil, shorterLadderDays } from "./ladder";
import type { ExtensionPolicy } from "./policy";
import { DAY_MS, toMs } from "./time";

/**
 * Extension durations to try, in days, preferred first: `extendByDays`, shortened to the smallest ladder step that
 * still reaches `extendUntil` when that is shorter, then (only if the policy allows) every shorter ladder step.
 */
export function wantedDurationsDays(policy: ExtensionPolicy, endDate: string): number[] {
  let desired = policy.extendByDays;
  if (policy.extendUntil !== undefined) {
    const needed = Math.ceil((toMs(policy.extendUntil) - toMs(endDate)) / DAY_MS);
    // Buying past extendUntil wastes money; one ladder step that reaches it is enough.
    if (needed >= 1) desired = Math.min(desired, ladderCeil(needed));
  }
  return policy.allowShorterFallback ? [desired, ...shorterLadderDays(desired)] : [desired];
}
