import type { Block } from "./block";
import type { HistoryEventDraft } from "./reconcile";
import { addMoney } from "./money";

/** What a capacity request paid for the block it bought: counted in that block's `spent` when it is registered. */
export interface OwnPurchase {
  requestId: string;
  upfrontFee: string;
  currency: string;
}

/**
 * The budget a bought block is registered with: its own fee plus what the request leaves for extensions. The
 * block's `spent` starts at its fee (countOwnPurchase), so `spent ≤ budget` reads as it does for every other block
 * and what is left for extensions (budget − spent) is exactly what the request left; undefined: no budget.
 */
export function boughtBlockBudget(fee: string, leftForExtensions: string | undefined): string | undefined {
  return leftForExtensions === undefined ? undefined : addMoney(fee, leftForExtensions);
}

/**
 * Counts a bought block's own purchase in its `spent`, once, at its registration: a finance person reading the block
 * sees what it cost, as the spend report does. It is the reservation's spend like an extension's (the ledger carries
 * it across delete and re-register, and `reset-spend` zeroes it). The spend report does not read `spent`, so the fee
 * is counted there once, as the request's purchase. A fee in another currency cannot be added (the history says so).
 */
export function countOwnPurchase(
  block: Block,
  bought: OwnPurchase,
): { block: Block; event: Omit<HistoryEventDraft, "PK" | "at" | "actor"> } {
  const fee = `${bought.upfrontFee} ${bought.currency}`;
  const data = { requestId: bought.requestId, upfrontFee: bought.upfrontFee, currency: bought.currency };
  if (bought.currency !== block.policy.currency) {
    return {
      block,
      event: {
        type: "purchased",
        message: `bought for ${fee} by request ${bought.requestId}; not added to spent, which is in ${block.policy.currency}`,
        data,
      },
    };
  }
  return {
    block: { ...block, spent: addMoney(block.spent, bought.upfrontFee) },
    event: { type: "purchased", message: `bought for ${fee} by request ${bought.requestId}; counted in spent`, data },
  };
}
