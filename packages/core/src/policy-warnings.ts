import { compareMoney } from "./money";
import { MIN_SAFE_LOOKAHEAD_HOURS, type ExtensionPolicy } from "./policy";
import { toMs } from "./time";
import { isEndAt1130Utc } from "./window";

/** Human-readable warnings about an effective policy that is valid but probably not what the owner wants. */
export function policyWarnings(policy: ExtensionPolicy, opts: { now: string; endDate?: string }): string[] {
  const w: string[] = [];
  if (policy.lookaheadHours < MIN_SAFE_LOOKAHEAD_HOURS) {
    w.push(
      `lookaheadHours ${policy.lookaheadHours} is under ${MIN_SAFE_LOOKAHEAD_HOURS}: EC2 takes up to 12 h to clear an extension's payment and it must clear 35 min before the end, so a purchase this late may fail and the block would end anyway`,
    );
  }
  if (policy.extendUntil !== undefined) {
    if (toMs(policy.extendUntil) <= toMs(opts.now)) w.push("extendUntil is in the past: CBM will not extend this block");
    else if (opts.endDate !== undefined && toMs(policy.extendUntil) <= toMs(opts.endDate))
      w.push("extendUntil is not after the current end date: CBM will not extend this block");
  }
  if (policy.maxUpfrontFee !== undefined && policy.budget !== undefined && compareMoney(policy.maxUpfrontFee, policy.budget) > 0) {
    w.push("maxUpfrontFee is above budget: the budget caps every purchase first");
  }
  if (policy.budget !== undefined && compareMoney(policy.budget, "0") === 0) w.push("budget is 0: CBM will not buy any extension");
  if (policy.maxExtensions === 0) w.push("maxExtensions is 0: CBM will not extend this block");
  if (!policy.enabled) w.push("the policy is paused (enabled: false): CBM watches the block but neither buys nor asks for approval");
  return w;
}

/** A person's end date is a hint until EC2's replaces it; one that cannot be a Capacity Block's end says so. */
export function endDateWarnings(endDate: string | undefined, now: string): string[] {
  if (endDate === undefined) return [];
  const w: string[] = [];
  if (!isEndAt1130Utc(endDate))
    w.push("endDate is not 11:30 UTC, when every Capacity Block ends; EC2's end date replaces it at the first check");
  else w.push("endDate is only a hint: EC2's end date replaces it at the first check");
  if (toMs(endDate) <= toMs(now)) w.push("endDate is in the past");
  return w;
}
