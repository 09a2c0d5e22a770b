import { describeTerms, termsForQuote, termsFromPolicy, type AuthorizationTerms } from "./authorization";
import type { Block, Verdict } from "./block";
import { InvalidStateError, PurchaseInFlightError, ValidationError } from "./errors";
import type { HistoryEventDraft } from "./reconcile";
import { HOUR_MS, canonicalIso, isoAt, sameInstant } from "./time";

/** Who gave a verdict and why; `by` is e.g. `api-key` or `cli:alice`. */
export interface VerdictInput {
  by: string;
  comment?: string;
  /**
   * The exact terms a person was shown and approved (an approval link carries them): recorded as they are instead
   * of being recomputed from the block, which may hold a newer quote by then. Must be for the verdict's window.
   */
  terms?: AuthorizationTerms;
  /** Given before any notice asked about the window: history says so in words. */
  advance?: boolean;
}

export type VerdictKind = "approved" | "denied";

/**
 * The window a person's verdict applies to, identified by the reservation's EC2 end date. When this window's
 * extension is bought (payment pending, or paid and the end not re-read yet) the verdict is for the next window,
 * the end date the purchase moves to. While a purchase's outcome is still unknown (an intent), neither window is
 * certain: a verdict given for the wrong one would be lost if the purchase never happened, so it is refused.
 */
export function verdictWindow(block: Block): string {
  if (!block.endDate) {
    throw new InvalidStateError(`Block '${block.PK}' has no end date yet; try again after the next scheduler tick has read it from EC2`);
  }
  const current = canonicalIso(block.endDate);
  if (block.intent && sameInstant(block.intent.window, current)) throw new PurchaseInFlightError(block.PK);
  let boughtHours: number | undefined;
  if (block.pendingExtension && sameInstant(block.pendingExtension.window, current)) boughtHours = block.pendingExtension.durationHours;
  else if (sameInstant(block.lastPurchaseWindow, current)) boughtHours = block.policy.extendByDays * 24;
  return boughtHours === undefined ? current : isoAt(Date.parse(current) + boughtHours * HOUR_MS);
}

/** Statuses that only described the previous verdict, so a new verdict replaces them. */
const STATUSES_A_VERDICT_REPLACES: ReadonlySet<Block["status"]> = new Set(["awaiting-approval", "approved", "denied"]);

/**
 * PATCH /{PK} (approve) and POST /{PK}/deny. An approval replaces a denial of the same window, is consumed by the
 * purchase it allows, and makes the block due now so the purchase follows on the next tick. A denial removes an
 * approval of the same window: nothing is bought in it unless a person approves again.
 */
export function applyVerdict(
  block: Block,
  kind: VerdictKind,
  v: VerdictInput,
  now: Date,
): { block: Block; event: HistoryEventDraft; covers?: string } {
  const window = verdictWindow(block);
  const at = isoAt(now.getTime());
  requireJustification(block, v);
  if (v.terms && !sameInstant(v.terms.window, window)) {
    throw new InvalidStateError(
      `The terms shown were for the window ending ${v.terms.window}; the block's verdict window is now ${window}`,
    );
  }
  const terms = kind === "approved" ? (v.terms ?? approvalTerms(block, window)) : undefined;
  const verdict: Verdict = {
    window,
    by: v.by,
    at,
    ...(v.comment !== undefined ? { comment: v.comment } : {}),
    ...(terms ? { terms } : {}),
  };
  const sameWindow = (x: Verdict | null | undefined) => sameInstant(x?.window, window);
  const status = STATUSES_A_VERDICT_REPLACES.has(block.status) ? kind : block.status;
  const next: Block =
    kind === "approved"
      ? {
          ...block,
          approved: true,
          approval: verdict,
          denial: sameWindow(block.denial) ? null : block.denial,
          status,
          nextCheckAt: at,
          updatedAt: at,
        }
      : { ...block, approved: false, denial: verdict, approval: sameWindow(block.approval) ? null : block.approval, status, updatedAt: at };
  const verb = kind === "approved" ? "Approved" : "Denied";
  const covers = terms ? describeTerms(terms) : undefined;
  return {
    block: next,
    event: {
      PK: block.PK,
      at,
      type: kind,
      actor: v.by,
      message: `${verb}${v.advance ? " in advance" : ""} the extension for the window ending ${window}${v.advance ? " (no notice had asked yet)" : ""}${covers ? ` (covers ${covers})` : ""}${v.comment ? `: ${v.comment}` : ""}`,
      data: {
        window,
        ...(v.advance ? { inAdvance: true } : {}),
        ...(terms ? { terms } : {}),
        ...(v.comment ? { comment: v.comment } : {}),
      },
    },
    ...(covers ? { covers } : {}),
  };
}

/** A policy with `requireJustification` takes no verdict without a reason: finance reads it in the history. */
function requireJustification(block: Block, v: VerdictInput): void {
  if (block.policy.requireJustification && !v.comment?.trim()) {
    throw new ValidationError([
      {
        field: "comment",
        message: "is required: this block's policy requires a justification for every approval and denial",
        code: "required",
      },
    ]);
  }
}

/** A quote as a notice showed it: the offering, its duration, its fee and its currency. */
export interface QuoteTerms {
  offeringId?: string;
  durationHours: number;
  upfrontFee: string;
  currencyCode: string;
}

/**
 * The quote the last approval notice showed (for `window`, when given), or undefined when no notice quoted a fee.
 * Notices recorded before the duration and currency were stored quoted the policy's, so those fall back to it.
 */
export function quoteTerms(block: Block, window?: string): QuoteTerms | undefined {
  const req = block.approvalRequest;
  if (!req || req.upfrontFee === undefined) return undefined;
  if (window !== undefined && !sameInstant(req.window, window)) return undefined;
  return {
    ...(req.offeringId !== undefined ? { offeringId: req.offeringId } : {}),
    durationHours: req.durationHours ?? block.policy.extendByDays * 24,
    upfrontFee: req.upfrontFee,
    currencyCode: req.currencyCode ?? block.policy.currency,
  };
}

/**
 * What an approval covers: the offering the last notice for this window quoted (its duration, at most its fee,
 * its currency), or, approved before any notice, the policy's durations and cap as they are now. A policy without
 * maxUpfrontFee gives an approval in advance no fee, so it covers nothing until a quote is approved.
 */
export function approvalTerms(block: Block, window: string): AuthorizationTerms {
  const quote = quoteTerms(block, window);
  return quote ? termsForQuote(block, window, quote) : termsFromPolicy(block, window, "advance");
}

/**
 * The approval flag set to false (first release's `approval: false`, README's `approved: false`): withdraws an
 * approval that has not been used. It is not a denial; with nothing held it changes nothing.
 */
export function withdrawApproval(block: Block, by: string, now: Date): { block: Block; event?: HistoryEventDraft } {
  if (!block.approval && !block.approved) return { block };
  const at = isoAt(now.getTime());
  const window = block.approval?.window;
  const status = block.status === "approved" ? "awaiting-approval" : block.status;
  return {
    block: { ...block, approval: null, approved: false, status, nextCheckAt: at, updatedAt: at },
    event: {
      PK: block.PK,
      at,
      type: "approval-voided",
      actor: by,
      message: `the approval held${window ? ` for the window ending ${window}` : ""} was withdrawn (not a denial: CBM asks again)`,
      data: { reason: "withdrawn", ...(window ? { window } : {}) },
    },
  };
}
