import * as z from "zod";
import { PendingExtension, SuccessorPurchase, type Block } from "./block";
import { PurchaseInFlightError, ValidationError } from "./errors";
import type { HistoryEventDraft } from "./reconcile";
import { compareMoney } from "./money";
import { IsoDateTime, Money } from "./policy";
import { isoAt } from "./time";

/**
 * What CBM has spent on one reservation, across every registration of it. While a block manages the reservation
 * the block carries the live figures; DELETE hands them to the ledger and the next registration takes them back,
 * so deleting and re-creating a block never resets its budget or its extension count.
 */
export const ReservationLedger = z.object({
  capacityReservationId: z.string(),
  /** PK of the registration managing the reservation now; absent while none does. */
  managedBy: z.string().optional(),
  registrationId: z.string().optional(),
  spent: Money,
  /** Currency of `spent` (the policy currency of the registration that spent it). */
  currency: z.string(),
  extensionsPurchased: z.number().int().min(0),
  /** An extension still being paid when the block was deleted: the next registration settles it. */
  pendingExtension: PendingExtension.nullable().optional(),
  lastPurchaseWindow: IsoDateTime.nullable().optional(),
  /** Successor blocks already counted in `spent`, so a later registration never counts (or opens) them again. */
  successorPurchases: z.array(SuccessorPurchase).optional(),
  updatedAt: IsoDateTime,
  /** Optimistic-concurrency counter of the ledger item. */
  rev: z.number().int().min(0),
});
export type ReservationLedger = z.infer<typeof ReservationLedger>;

/** The ledger as DELETE leaves it: the block's figures, nobody managing the reservation. */
export function ledgerAfterDelete(block: Block, previous: ReservationLedger | undefined, now: Date): ReservationLedger {
  return {
    capacityReservationId: block.capacityReservationId,
    spent: block.spent,
    currency: block.policy.currency,
    extensionsPurchased: block.extensionsPurchased,
    pendingExtension: block.pendingExtension ?? null,
    lastPurchaseWindow: block.lastPurchaseWindow ?? null,
    ...(block.successorPurchases?.length ? { successorPurchases: block.successorPurchases } : {}),
    updatedAt: isoAt(now.getTime()),
    rev: (previous?.rev ?? 0) + 1,
  };
}

/**
 * A new registration takes over what earlier registrations of the reservation spent. A carried spend in another
 * currency cannot be compared with the new budget, so that registration is refused until the spend is reset.
 */
export function adoptLedger(
  block: Block,
  ledger: ReservationLedger | undefined,
): { block: Block; event?: Omit<HistoryEventDraft, "PK" | "at" | "actor"> } {
  if (!ledger) return { block };
  const spentSomething = compareMoney(ledger.spent, "0") > 0;
  if (spentSomething && ledger.currency !== block.policy.currency) {
    throw new ValidationError([
      {
        field: "currency",
        message: `earlier registrations of ${block.capacityReservationId} spent ${ledger.spent} ${ledger.currency}; register it in ${ledger.currency} (spend belongs to the reservation)`,
        code: "conflict",
      },
    ]);
  }
  const carried: Block = {
    ...block,
    spent: ledger.spent,
    extensionsPurchased: ledger.extensionsPurchased,
    pendingExtension: ledger.pendingExtension ?? null,
    lastPurchaseWindow: ledger.lastPurchaseWindow ?? null,
    ...(ledger.successorPurchases?.length ? { successorPurchases: ledger.successorPurchases } : {}),
  };
  if (!spentSomething && ledger.extensionsPurchased === 0 && !ledger.pendingExtension) return { block: carried };
  return {
    block: carried,
    event: {
      type: "spend-carried",
      message: `spend of earlier registrations carried over: ${ledger.spent} ${ledger.currency}, ${ledger.extensionsPurchased} extension(s) paid${ledger.pendingExtension ? ", one being paid" : ""}`,
      data: { spent: ledger.spent, currency: ledger.currency, extensionsPurchased: ledger.extensionsPurchased },
    },
  };
}

/**
 * Resets what a block counts as spent and bought: an explicit, recorded act (never a side effect of DELETE), e.g.
 * for a new budget period. Refused while money is in flight: a pending fee must settle before it can be forgotten.
 */
export function resetSpend(block: Block, by: string, comment: string | undefined, now: Date): { block: Block; event: HistoryEventDraft } {
  if (block.intent || block.pendingExtension) throw new PurchaseInFlightError(block.PK);
  const at = isoAt(now.getTime());
  return {
    block: { ...block, spent: "0", extensionsPurchased: 0, nextCheckAt: at, updatedAt: at },
    event: {
      PK: block.PK,
      at,
      type: "spend-reset",
      actor: by,
      message: `spend reset from ${block.spent} ${block.policy.currency} and ${block.extensionsPurchased} extension(s) to 0${comment ? `: ${comment}` : ""}`,
      data: {
        previousSpent: block.spent,
        currency: block.policy.currency,
        previousExtensions: block.extensionsPurchased,
        ...(comment ? { comment } : {}),
      },
    },
  };
}
