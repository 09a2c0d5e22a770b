import type { Block } from "./block";
import type { ExtensionOffering } from "./ec2-view";
import type { DecideInput } from "./engine-types";
import { isLadderHours } from "./ladder";
import { addMoney, compareMoney, isDecimalString } from "./money";
import { feeFitsPolicy } from "./policy-fit";
import { sameInstant } from "./time";
import { wantedDurationsDays } from "./wanted-durations";

/** The offering the engine would buy, the durations it must fetch first, or why there is none it may buy. */
export type OfferingChoice =
  | { kind: "fetch"; durationsHours: number[] }
  | { kind: "chosen"; offering: ExtensionOffering }
  | { kind: "none"; reason: "no-offering" | "currency-mismatch" | "price-above-cap" | "budget-exhausted"; detail: string };

/**
 * Walks the wanted durations in order and takes the cheapest usable offering of the first duration whose price
 * fits both the cap and the remaining budget. Offerings for another window (stale), off the ladder, or in another
 * currency are never bought. Durations not fetched yet are requested, so a scheduler may fetch lazily.
 */
export function chooseOffering(block: Block, window: string, offerings: DecideInput["offerings"]): OfferingChoice {
  const policy = block.policy;
  const days = wantedDurationsDays(policy, window);
  let otherCurrency = false;
  let aboveCap: ExtensionOffering | undefined;
  let overBudget: ExtensionOffering | undefined;
  for (let i = 0; i < days.length; i++) {
    const hours = days[i]! * 24;
    const list = offerings?.get(hours);
    if (list === undefined) return { kind: "fetch", durationsHours: days.slice(i).map((d) => d * 24) };
    const usable = list.filter(
      (o) =>
        o.durationHours === hours && isLadderHours(o.durationHours) && sameInstant(o.startDate, window) && isDecimalString(o.upfrontFee),
    );
    const inCurrency = usable.filter((o) => o.currencyCode === policy.currency);
    if (inCurrency.length < usable.length) otherCurrency = true;
    if (inCurrency.length === 0) continue;
    const cheapest = inCurrency.reduce((a, b) => (compareMoney(b.upfrontFee, a.upfrontFee) < 0 ? b : a));
    // The same rule an approval link checks when it is answered (policyAllows), so the two cannot disagree.
    const fee = feeFitsPolicy(block, cheapest.upfrontFee);
    if (!fee.fits) {
      if (fee.misfit === "above-cap") aboveCap ??= cheapest;
      else overBudget ??= cheapest;
      continue;
    }
    return { kind: "chosen", offering: cheapest };
  }
  const tried = days.map((d) => `${d}d`).join(", ");
  if (overBudget) {
    return {
      kind: "none",
      reason: "budget-exhausted",
      detail: `${overBudget.upfrontFee} ${policy.currency} would bring spending to ${addMoney(block.spent, overBudget.upfrontFee)}, over the budget of ${policy.budget}`,
    };
  }
  if (aboveCap) {
    return {
      kind: "none",
      reason: "price-above-cap",
      detail: `cheapest offering ${aboveCap.upfrontFee} ${policy.currency} is above maxUpfrontFee ${policy.maxUpfrontFee}`,
    };
  }
  if (otherCurrency)
    return {
      kind: "none",
      reason: "currency-mismatch",
      detail: `offerings exist only in currencies other than ${policy.currency} (${tried})`,
    };
  return { kind: "none", reason: "no-offering", detail: `EC2 offered no extension for ${tried}` };
}
