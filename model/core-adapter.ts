/**
 * The one place where the Promela model meets core. Each function takes one row of an abstract decision table (a
 * few booleans and small numbers, the model's view of a block or request), builds the concrete record, EC2 view and
 * offering core's transitions read, calls core, and maps the result back to one of the model's outcome codes.
 *
 * The lead repoints the request rows here when the request lifecycle moves into core; nothing else in model/ names a
 * core function.
 */
import {
  DEFAULT_ENGINE_SETTINGS,
  ExtensionPolicy,
  authorizePurchase,
  chooseOffering as chooseBlockOffering,
  decide,
  linkState,
  planSuccessor,
  termsForOffering,
  termsForQuote,
  type Block,
  type BlockOffering,
  type CapacityRequest,
  type Decision,
  type ExtensionRecord,
} from "@cbm/core";

/** The core functions the tables are generated from; a test passes perturbed ones to show the tie catches drift. */
export interface CoreTransitions {
  decide: typeof decide;
  authorizePurchase: typeof authorizePurchase;
  chooseBlockOffering: typeof chooseBlockOffering;
  planSuccessor: typeof planSuccessor;
  linkState: typeof linkState;
}

export const realCore: CoreTransitions = { decide, authorizePurchase, chooseBlockOffering, planSuccessor, linkState };

const CR = "cr-0a1b2c3d4e5f60718";
const END = "2026-06-04T11:30:00.000Z";
const LATER_END = "2026-06-11T11:30:00.000Z";
// A day before the end: the window is open, no last call is due, and a notice sent a minute ago needs no reminder.
const NOW = new Date(Date.parse(END) - 24 * 3_600_000);
const MINUTE = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();
const settings = { ...DEFAULT_ENGINE_SETTINGS, accountId: "123456789012", autoApprove: false };

/** The model's price levels: 1 is within the policy's cap, 2 above it. The cap itself is 1500. */
const FEE = { cheap: "1000", dear: "2000" } as const;

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

/** One row of a capacity request's purchase decision for the one offering EC2 shows. */
export interface RequestRow {
  /** The offering's fee is within the request's maxUpfrontFee. */
  fitsCap: boolean;
  requireApproval: boolean;
  approved: boolean;
  /** The approval's quoted fee covers the offering's (false: the price rose since the quote). */
  approvalCoversFee: boolean;
}

export type RequestOutcome = "IDLE" | "ASK" | "BUY_POLICY" | "BUY_APPROVAL" | "BUY_AUTO";

export function requestOutcome(core: CoreTransitions, row: RequestRow): RequestOutcome {
  const fee = row.fitsCap ? FEE.cheap : FEE.dear;
  const offering = blockOffering(fee);
  const req = capacityRequest(row.requireApproval);
  if (row.approved) {
    const quoted = blockOffering(row.approvalCoversFee ? fee : "999");
    req.approval = { by: "model", at: iso(NOW.getTime() - MINUTE), terms: termsForOffering(req, quoted) };
  }
  const choice = core.chooseBlockOffering(req, [offering]);
  if (choice.kind === "none") return "IDLE";
  const verdict = core.authorizePurchase(req, choice.offering, { canReachApprover: true, now: NOW.toISOString() });
  if (verdict.kind === "ask") return "ASK";
  const kind = verdict.authorization.kind;
  return kind === "policy" ? "BUY_POLICY" : kind === "approval" ? "BUY_APPROVAL" : "BUY_AUTO";
}

/**
 * Whether the successor request core names for a block changes with the block's registration: if it does, deleting
 * and re-registering the block (same reservation, same end) lets a second successor request be created.
 */
export function successorKeyedByRegistration(core: CoreTransitions): boolean {
  const ids = ["reg-1", "reg-2"].map((registrationId) => {
    const block: Block = {
      ...baseBlock(true, true, "100000"),
      registrationId,
      status: "no-offering",
      instanceType: "p5.48xlarge",
      instanceCount: 2,
      policy: { ...baseBlock(true, true, "100000").policy, openSuccessorRequest: true },
    };
    const plan = core.planSuccessor(block, NOW.toISOString());
    if (plan.kind !== "open") throw new Error(`the successor row expects core to open a successor: ${plan.reason}`);
    return plan.id;
  });
  return ids[0] !== ids[1];
}

function baseBlock(requireApproval: boolean, enabled: boolean, budget: string): Block {
  return {
    PK: "blk-1",
    registrationId: "reg-1",
    capacityReservationId: CR,
    region: "us-east-2",
    availabilityZone: "us-east-2a",
    endDate: END,
    approved: false,
    createdAt: "2026-05-01T00:00:00.000Z",
    updatedAt: "2026-05-01T00:00:00.000Z",
    status: "waiting",
    version: 3,
    policy: ExtensionPolicy.parse({ requireApproval, enabled, maxUpfrontFee: "1500", budget, lookaheadHours: 48 }),
    spent: "0",
    extensionsPurchased: 0,
  };
}

function reservation(endDate: string) {
  return {
    capacityReservationId: CR,
    ownerId: settings.accountId,
    region: "us-east-2",
    state: "active" as const,
    instanceType: "p5.48xlarge",
    instanceCount: 2,
    availabilityZone: "us-east-2a",
    startDate: "2026-06-02T11:30:00.000Z",
    endDate,
  };
}

function extension(offeringId: string, status: ExtensionRecord["status"]): ExtensionRecord {
  return {
    capacityReservationId: CR,
    offeringId,
    status,
    durationHours: 168,
    purchaseDate: iso(NOW.getTime() - 5 * MINUTE),
    startDate: END,
    endDate: LATER_END,
    upfrontFee: FEE.cheap,
    currencyCode: "USD",
  };
}

function blockOffering(upfrontFee: string): BlockOffering {
  return {
    offeringId: `cb-${upfrontFee}`,
    region: "us-east-1",
    availabilityZone: "us-east-1a",
    instanceType: "p5.48xlarge",
    instanceCount: 2,
    startDate: "2026-07-01T11:30:00.000Z",
    endDate: "2026-07-08T11:30:00.000Z",
    durationHours: 168,
    durationMinutes: 0,
    upfrontFee,
    currencyCode: "USD",
  };
}

function capacityRequest(requireApproval: boolean): CapacityRequest {
  return {
    id: "req-1",
    version: 1,
    status: "searching",
    wanted: {
      instanceType: "p5.48xlarge",
      instanceCount: 2,
      durationHours: 168,
      earliestStart: "2026-06-01T11:30:00.000Z",
      latestStart: "2026-08-01T11:30:00.000Z",
      regions: ["us-east-1"],
    },
    limits: { maxUpfrontFee: "1500", currency: "USD" },
    requireApproval,
    platform: "Linux/UNIX",
    createdAt: "2026-05-01T00:00:00.000Z",
    updatedAt: "2026-05-01T00:00:00.000Z",
    createdBy: "model",
  };
}
