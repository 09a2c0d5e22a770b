import type { Block, Verdict } from "./block";
import { InvalidStateError } from "./errors";
import type { HistoryEventDraft } from "./reconcile";
import { canonicalIso, isoAt } from "./time";

/** Who gave a verdict and why; `by` is e.g. `api-key` or `cli:alice`. */
export interface VerdictInput {
  by: string;
  comment?: string;
}

function currentWindow(block: Block): string {
  // Before the first reconciliation the end date is only what a person typed: a verdict for it could belong to
  // a window that does not exist, so it would silently never apply.
  if (block.endDate == null || block.status === "registered") {
    throw new InvalidStateError(`Block '${block.PK}' has not been checked against EC2 yet; try again after the next scheduler run`);
  }
  return canonicalIso(block.endDate);
}

function verdict(window: string, v: VerdictInput, now: Date): Verdict {
  return { window, by: v.by, at: isoAt(now.getTime()), ...(v.comment !== undefined ? { comment: v.comment } : {}) };
}

/**
 * PATCH /{PK}: approves the extension of the current window (EC2's end date). It replaces a denial of that window,
 * is consumed by the purchase it allows, and makes the block due now so the purchase follows on the next tick.
 */
export function approveBlock(block: Block, v: VerdictInput, now: Date): { block: Block; event: HistoryEventDraft } {
  const window = currentWindow(block);
  const at = isoAt(now.getTime());
  const approval = verdict(window, v, now);
  return {
    block: { ...block, approval, approved: true, denial: null, status: "approved", statusReason: `approved by ${v.by} for the window ending ${window}`, nextCheckAt: at, updatedAt: at },
    event: { PK: block.PK, at, type: "approved", actor: v.by, message: `approved the extension for the window ending ${window}`, data: { window, ...(v.comment ? { comment: v.comment } : {}) } },
  };
}

/** Denies the extension of the current window: nothing is bought until EC2's end date moves or a person approves. */
export function denyBlock(block: Block, v: VerdictInput, now: Date): { block: Block; event: HistoryEventDraft } {
  const window = currentWindow(block);
  const at = isoAt(now.getTime());
  const denial = verdict(window, v, now);
  return {
    block: { ...block, denial, approval: null, approved: false, status: "denied", statusReason: `denied by ${v.by} for the window ending ${window}`, nextCheckAt: at, updatedAt: at },
    event: { PK: block.PK, at, type: "denied", actor: v.by, message: `denied the extension for the window ending ${window}`, data: { window, ...(v.comment ? { comment: v.comment } : {}) } },
  };
}
