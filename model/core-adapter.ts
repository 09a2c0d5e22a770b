/**
 * The one place where the block side of the model meets core: each function takes one row of an abstract decision
 * table (a few booleans and small numbers, the model's view of a block), builds the concrete record, EC2 view and
 * offerings core's transitions read, calls core, and maps the result back to one of the model's outcome codes.
 */
import { termsForQuote, type Decision, type ExtensionRecord } from "@cbm/core";
import { CR, END, FEE, LATER_END, MINUTE, NOW, baseBlock, extension, iso, reservation, settings, type CoreTransitions } from "./fixtures";

/** One row of the extension decision: the block as the model sees it after reconciling with EC2. */
export interface BlockRow {
  /** EC2's history for the current window: 0 none, 1 payment-pending, 2 payment-failed. */
  hist: 0 | 1 | 2;
  lastBought: boolean;
  enabled: boolean;
  denied: boolean;
  fitsCap: boolean;
  budgetOk: boolean;
  requireApproval: boolean;
  /** 0 no approval for this window, else 1 + 2 × (given for another registration) + (offering above its fee). */
  approval: 0 | 1 | 2 | 3 | 4;
  /** An approval notice for this window went out a minute ago. */
  asked: boolean;
}

export type BlockOutcome = "IDLE" | "ASK" | "ASK_VOID" | "BUY_POLICY" | "BUY_APPROVAL" | "BUY_AUTO";

export function blockOutcome(core: CoreTransitions, row: BlockRow): BlockOutcome {
  const fee = row.fitsCap ? FEE.cheap : FEE.dear;
  const block = baseBlock(row.requireApproval, row.enabled, row.budgetOk ? "100000" : "500");
  if (row.lastBought) block.lastPurchaseWindow = END;
  if (row.denied) block.denial = { window: END, by: "model", at: iso(NOW.getTime() - MINUTE) };
  if (row.asked) {
    const at = iso(NOW.getTime() - MINUTE);
    block.approvalRequest = { window: END, firstSentAt: at, lastSentAt: at, count: 1, lastCallSent: false };
  }
  if (row.approval > 0) {
    const otherRegistration = row.approval >= 3;
    const feeAbove = row.approval % 2 === 0;
    const terms = termsForQuote({ ...block, registrationId: otherRegistration ? "reg-0" : block.registrationId }, END, {
      durationHours: 168,
      upfrontFee: feeAbove ? "999" : fee,
      currencyCode: "USD",
    });
    block.approval = { window: END, by: "model", at: iso(NOW.getTime() - MINUTE), terms };
    block.approved = true;
  }
  const history: ExtensionRecord[] =
    row.hist === 0 ? [] : [extension("cbe-earlier", row.hist === 1 ? "payment-pending" : "payment-failed")];
  const offering = { offeringId: `cbe-168-${fee}`, capacityReservationId: CR, durationHours: 168, startDate: END, endDate: LATER_END };
  const d = core.decide({
    block,
    reservation: reservation(END),
    history,
    offerings: new Map([[168, [{ ...offering, upfrontFee: fee, currencyCode: "USD" }]]]),
    now: NOW,
    settings,
  });
  return outcomeOf(d);
}

function outcomeOf(d: Decision): BlockOutcome {
  if (d.kind === "purchase") return d.approval === "not-required" ? "BUY_POLICY" : d.approval === "approved" ? "BUY_APPROVAL" : "BUY_AUTO";
  if (d.kind === "request-approval") return d.voided !== undefined ? "ASK_VOID" : "ASK";
  // Waiting, stopping, watching a payment and fetching offerings spend nothing and change no term the model tracks.
  return "IDLE";
}

/** One row of settling an unsettled intent: is our offering in EC2's history, did the end move, how old is the call. */
export interface SettleRow {
  ours: boolean;
  endMoved: boolean;
  /** 0 younger than the settle grace, 1 older but the call may still land, 2 the call can no longer land. */
  age: 0 | 1 | 2;
}

export type SettleOutcome = "WAIT" | "BOUGHT" | "NOT_BOUGHT";

export function settleOutcome(core: CoreTransitions, row: SettleRow): SettleOutcome {
  const block = baseBlock(false, true, "100000");
  block.intent = {
    authorization: { kind: "policy", terms: termsForQuote(block, END, { durationHours: 168, upfrontFee: FEE.cheap, currencyCode: "USD" }) },
    id: "intent-1",
    window: END,
    offeringId: "cbe-ours",
    durationHours: 168,
    upfrontFee: FEE.cheap,
    currencyCode: "USD",
    createdAt: iso(NOW.getTime() - (row.age === 0 ? 0 : 10 * MINUTE)),
    // The wall clock equals the Clock here: the call can land until callSettledAt.
    callSettledAt: iso(NOW.getTime() + (row.age === 2 ? -1_000 : 5 * MINUTE)),
  };
  const d = core.decide({
    block,
    reservation: reservation(row.endMoved ? LATER_END : END),
    history: row.ours ? [extension("cbe-ours", "payment-pending")] : [],
    now: NOW,
    settings,
  });
  if (d.kind !== "settle-intent") return "WAIT";
  return d.outcome === "purchased" ? "BOUGHT" : "NOT_BOUGHT";
}

/** One row of answering an approval link: the block as stored now against the link's claims. */
export interface LinkRow {
  exists: boolean;
  sameRegistration: boolean;
  /** An intent for the link's window is unsettled. */
  intent: boolean;
  /** The link's window is bought already (the verdict window moved on). */
  bought: boolean;
  /** CBM is asking for approval of the link's window. */
  asked: boolean;
  /** The current quote is the link's fee. */
  sameFee: boolean;
}

/** READY: the answer records an approval of exactly the link's terms; anything else changes nothing. */
export function linkOutcome(core: CoreTransitions, row: LinkRow): "READY" | "NOTHING" {
  const block = baseBlock(true, true, "100000");
  if (!row.sameRegistration) block.registrationId = "reg-2";
  if (row.bought) block.lastPurchaseWindow = END;
  if (row.intent) {
    const terms = termsForQuote(block, END, { durationHours: 168, upfrontFee: FEE.cheap, currencyCode: "USD" });
    block.intent = {
      authorization: { kind: "approval", terms },
      id: "intent-1",
      window: END,
      offeringId: "cbe-ours",
      durationHours: 168,
      upfrontFee: FEE.cheap,
      currencyCode: "USD",
      createdAt: iso(NOW.getTime() - MINUTE),
      callSettledAt: iso(NOW.getTime() + 5 * MINUTE),
    };
  }
  if (row.asked) {
    const at = iso(NOW.getTime() - MINUTE);
    const upfrontFee = row.sameFee ? FEE.cheap : FEE.dear;
    block.approvalRequest = { window: END, firstSentAt: at, lastSentAt: at, count: 1, lastCallSent: false, upfrontFee, durationHours: 168 };
  }
  const claims = {
    v: 1 as const,
    id: "link-00000001",
    pk: block.PK,
    registrationId: "reg-1",
    capacityReservationId: CR,
    window: END,
    durationHours: 168,
    upfrontFee: FEE.cheap,
    currency: "USD",
    to: "approver@example.com",
    expiresAt: iso(Date.parse(END) - 65 * MINUTE),
  };
  const state = core.linkState(claims, row.exists ? block : undefined, NOW, undefined);
  return state.kind === "ready" ? "READY" : "NOTHING";
}
