import type { Block, SuccessorPurchase } from "./block";
import { addMoney } from "./money";
import type { HistoryEventDraft } from "./reconcile";
import { isoAt } from "./time";

/** What the request worker knows of a successor it bought, to count against the predecessor's budget. */
export type SuccessorBought = Omit<SuccessorPurchase, "countedAt">;

export type SuccessorCount = { kind: "counted"; block: Block; event: HistoryEventDraft } | { kind: "already-counted" };

/**
 * Counts a successor block against the budget of the block it continues: a successor request is opened with what
 * that budget leaves, so its fee is that budget's spend, in `spent` like an extension's, carried across delete and
 * re-register by the reservation ledger. Counted once per request id, whichever registration manages the reservation
 * when the purchase is recorded; a fee in another currency is recorded but cannot be added (the history says so).
 */
export function countSuccessor(block: Block, bought: SuccessorBought, now: Date): SuccessorCount {
  if (block.successorPurchases?.some((s) => s.requestId === bought.requestId)) return { kind: "already-counted" };
  const at = isoAt(now.getTime());
  const sameCurrency = bought.currency === block.policy.currency;
  const next: Block = {
    ...block,
    spent: sameCurrency ? addMoney(block.spent, bought.upfrontFee) : block.spent,
    successorPurchases: [...(block.successorPurchases ?? []), { ...bought, countedAt: at }],
    updatedAt: at,
  };
  const fee = `${bought.upfrontFee} ${bought.currency}`;
  return {
    kind: "counted",
    block: next,
    event: {
      PK: block.PK,
      at,
      type: "purchased",
      actor: `request:${bought.requestId}`,
      message: sameCurrency
        ? `successor block ${bought.capacityReservationId} bought for ${fee} by request ${bought.requestId}; counted against this block's budget`
        : `successor block ${bought.capacityReservationId} bought for ${fee} by request ${bought.requestId}; not added to spent, which is in ${block.policy.currency}`,
      data: {
        successor: bought.capacityReservationId,
        requestId: bought.requestId,
        upfrontFee: bought.upfrontFee,
        currency: bought.currency,
      },
    },
  };
}
