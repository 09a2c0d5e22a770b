import type { Block } from "./block";
import { durationText, isLadderHours } from "./ladder";
import { addMoney, compareMoney } from "./money";
import { canonicalIso, toMs } from "./time";
import { wantedDurationsDays } from "./wanted-durations";

/** The rule of a block's policy that a purchase would break. */
export type PolicyMisfit =
  | "paused"
  | "extend-until-reached"
  | "max-extensions-reached"
  | "currency"
  | "duration"
  | "above-cap"
  | "over-budget";

export type PolicyFit = { fits: true } | { fits: false; misfit: PolicyMisfit; reason: string };
export type FeeFit = { fits: true } | { fits: false; misfit: "above-cap" | "over-budget"; reason: string };

/** What one extension purchase would buy: a quote's or an approval's duration, fee and currency. */
export interface ExtensionTerms {
  durationHours: number;
  upfrontFee: string;
  currencyCode: string;
}

/**
 * Whether paying `fee` fits the policy's price cap and what is left of its budget (`spent` counts every extension
 * bought for the reservation). The engine picks offerings by this rule, so an approval checked by it is one the
 * scheduler could act on.
 */
export function feeFitsPolicy(block: Block, fee: string): FeeFit {
  const p = block.policy;
  if (p.maxUpfrontFee !== undefined && compareMoney(fee, p.maxUpfrontFee) > 0) {
    return {
      fits: false,
      misfit: "above-cap",
      reason: `the fee ${fee} ${p.currency} is above the policy's maxUpfrontFee ${p.maxUpfrontFee}`,
    };
  }
  if (p.budget !== undefined && compareMoney(addMoney(block.spent, fee), p.budget) > 0) {
    return {
      fits: false,
      misfit: "over-budget",
      reason: `the fee ${fee} ${p.currency} would bring spending to ${addMoney(block.spent, fee)}, over the policy's budget of ${p.budget}`,
    };
  }
  return { fits: true };
}

/**
 * Whether the block's policy, as it is now, allows buying `terms` in `window`: not paused, its goal (extendUntil,
 * maxExtensions) not met yet, one of the durations it wants, its currency, within its cap and budget. The same rules
 * the engine applies before any purchase: an approval recorded through a link must pass them at the moment it is
 * given, so nothing is recorded as approved that the policy no longer allows.
 */
export function policyAllows(block: Block, window: string, terms: ExtensionTerms): PolicyFit {
  const p = block.policy;
  if (!p.enabled) return { fits: false, misfit: "paused", reason: "the block is paused (policy.enabled is false)" };
  if (p.extendUntil !== undefined && toMs(window) >= toMs(p.extendUntil)) {
    return {
      fits: false,
      misfit: "extend-until-reached",
      reason: `the block already reaches the policy's extendUntil ${canonicalIso(p.extendUntil)}`,
    };
  }
  if (p.maxExtensions !== undefined && block.extensionsPurchased >= p.maxExtensions) {
    return {
      fits: false,
      misfit: "max-extensions-reached",
      reason: `${block.extensionsPurchased} of the policy's maxExtensions ${p.maxExtensions} are bought`,
    };
  }
  if (terms.currencyCode !== p.currency) {
    return { fits: false, misfit: "currency", reason: `the policy's currency is ${p.currency}, not ${terms.currencyCode}` };
  }
  const wanted = wantedDurationsDays(p, window).map((d) => d * 24);
  if (!isLadderHours(terms.durationHours) || !wanted.includes(terms.durationHours)) {
    return {
      fits: false,
      misfit: "duration",
      reason: `the policy extends by ${wanted.map(durationText).join(" or ")}, not ${durationText(terms.durationHours)}`,
    };
  }
  return feeFitsPolicy(block, terms.upfrontFee);
}
