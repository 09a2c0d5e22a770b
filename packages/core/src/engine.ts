import type { Block } from "./block";
import type { Decision } from "./decision";
import type { ExtensionOffering, ExtensionRecord, ReservationView } from "./ec2-view";
import type { DecideInput, EngineSettings } from "./engine-types";
import { canonicalIso, isoAt, sameInstant, toMs } from "./time";
import { extensionWindow } from "./window";
import { covers, termsFromPolicy, type Coverage } from "./authorization";
import { otherStageDetail, STAGE_TAG_KEY, stageClaim } from "./stage-claim";
import { AFTER_END_MS, PAYMENT_POLL_MS, backoffUntil } from "./engine-timing";
import { awaitPayment, settleIntent } from "./engine-payments";
import { chooseOffering } from "./engine-offering-choice";
import { requestApproval } from "./engine-approval-request";

export { AFTER_END_MS, PAYMENT_POLL_MS, backoffDelayMs, backoffUntil } from "./engine-timing";

/** One step of decide(): the decision it makes, or undefined to pass the block on. */
type Gate<C> = (c: C) => Decision | undefined;

/** What the gates read once EC2 knows the reservation: the input and the facts derived from it once. */
interface GateContext {
  block: Block;
  r: ReservationView;
  history: ExtensionRecord[];
  offerings: DecideInput["offerings"];
  settings: EngineSettings;
  now: Date;
  nowMs: number;
  /** When a block that is stopped but may change (outside CBM) is looked at again. */
  recheckAt: string;
  /** The reservation's current EC2 end date, canonical: it identifies the extension window. */
  window: string;
  endMs: number;
  /** Just after the end, when EC2 has expired the block or moved its end. */
  afterEnd: string;
}

/**
 * The policy engine: from the stored record, EC2's view, the extension history, the offerings (when fetched) and
 * now, the one thing to do for a block. Pure. It is a sequence of gates in the order below: each one decides or
 * passes the block on, and every gate that could keep money from being spent comes before `purchase`.
 */
export function decide(input: DecideInput): Decision {
  const early = firstDecision(RECORD_GATES, input);
  if (early) return early;
  const c = gateContext(input);
  return firstDecision(RESERVATION_GATES, c) ?? buyOrAsk(c);
}

const RECORD_GATES: readonly Gate<DecideInput>[] = [purchaseInFlight, reservationUnknown];

const RESERVATION_GATES: readonly Gate<GateContext>[] = [
  reservationExpired,
  notOwned,
  otherStage,
  unclaimed,
  extensionPaymentPending,
  paused,
  reservationPaymentPending,
  notExtendable,
  extendUntilReached,
  maxExtensionsReached,
  windowAlreadyBought,
  windowNotOpen,
  windowClosed,
  windowDenied,
];

const AUTHORIZATION_GATES: readonly Gate<OfferContext>[] = [policyAuthorizes, approvalCovers, autoApproved];

/**
 * The names of decide()'s gates in the order they apply. The first that decides wins, so the order is a rule: an
 * intent is settled before anything else, a pending payment is watched even on a paused block, nothing is bought
 * before the window checks, and the authorization is looked for only once an offering is chosen.
 */
export const DECISION_GATES: readonly string[] = [
  ...RECORD_GATES,
  ...RESERVATION_GATES,
  buyOrAsk,
  ...AUTHORIZATION_GATES,
  askForApproval,
].map((gate) => gate.name);

// --- Before EC2's view: the record alone decides ---------------------------------------------------------------

/**
 * An unfinished purchase is settled before anything else, even for a block that expired or vanished since: until
 * we know whether EC2 took the money, buying again (or forgetting the fee) would be wrong.
 */
function purchaseInFlight({ block, reservation, history, now, wallNow, settings }: DecideInput): Decision | undefined {
  if (!block.intent) return undefined;
  return settleIntent(block.intent, reservation, history, now.getTime(), (wallNow ?? now).getTime(), settings);
}

/** EC2 does not know the reservation (mistyped id, or expired long ago): nothing to watch until a person edits it. */
function reservationUnknown({ block, reservation }: DecideInput): Decision | undefined {
  if (reservation) return undefined;
  return { kind: "stop", reason: "not-found", detail: `EC2 does not know ${block.capacityReservationId}` };
}

// --- EC2's view of the reservation: whether this stage may extend it at all --------------------------------------

/** Expired blocks can never be extended again; terminal. */
function reservationExpired({ r }: GateContext): Decision | undefined {
  if (r.state !== "expired") return undefined;
  return { kind: "stop", reason: "expired", detail: `ended at ${canonicalIso(r.endDate)}` };
}

/** Only the owner can extend a shared CB; looked at again later in case the account setting was a mistake. */
function notOwned({ r, settings, recheckAt }: GateContext): Decision | undefined {
  if (r.ownerId === settings.accountId) return undefined;
  return { kind: "stop", reason: "not-owned", detail: `owned by ${r.ownerId}, not by ${settings.accountId}`, retryAt: recheckAt };
}

/**
 * Another stage's table holds its own intents for this reservation: both buying would pay twice. Looked at again
 * later in case a person re-tags it.
 */
function otherStage({ r, settings, recheckAt }: GateContext): Decision | undefined {
  const claim = stageClaim(r.tags, settings.stage);
  if (claim.kind !== "other-stage") return undefined;
  return { kind: "stop", reason: "other-stage", detail: otherStageDetail(claim.stage, settings.stage), retryAt: recheckAt };
}

/** Unclaimed is the tick's job (it tags before deciding); should a decision see it anyway, nothing is bought yet. */
function unclaimed({ r, settings, nowMs }: GateContext): Decision | undefined {
  if (stageClaim(r.tags, settings.stage).kind !== "claim") return undefined;
  const detail = `not yet tagged ${STAGE_TAG_KEY}=${settings.stage!}; claimed before this stage buys`;
  return { kind: "stop", reason: "unclaimed", detail, retryAt: isoAt(nowMs + PAYMENT_POLL_MS) };
}

// --- Money on its way, and what keeps the block from buying now ------------------------------------------------

/** EC2 allows one extension in payment-pending at a time, whoever bought it; watch it instead of buying. */
function extensionPaymentPending({ block, history, window, nowMs, settings }: GateContext): Decision | undefined {
  const pending = history.find((h) => h.status === "payment-pending");
  return pending ? awaitPayment(block, window, pending, nowMs, settings) : undefined;
}

/** Paused: watch (above) but never buy or ask. */
function paused({ block, recheckAt }: GateContext): Decision | undefined {
  if (block.policy.enabled) return undefined;
  return { kind: "stop", reason: "paused", detail: "policy.enabled is false", retryAt: recheckAt };
}

/** The CB's own purchase is still being paid; EC2 will not extend it yet. */
function reservationPaymentPending({ r, nowMs }: GateContext): Decision | undefined {
  if (r.state !== "payment-pending") return undefined;
  return { kind: "wait", until: isoAt(nowMs + PAYMENT_POLL_MS), reason: "reservation-pending" };
}

const EXTENDABLE_STATES: ReadonlySet<string> = new Set(["active", "scheduled"]);

/** EC2 extends only active or scheduled CBs; other states (payment-failed, cancelled …) are looked at rarely. */
function notExtendable({ r, recheckAt }: GateContext): Decision | undefined {
  if (EXTENDABLE_STATES.has(r.state)) return undefined;
  return { kind: "stop", reason: "not-extendable", detail: `EC2 state is ${r.state}`, retryAt: recheckAt };
}

/** The owner's goal is met; look again after the end so the expiry is recorded. */
function extendUntilReached({ block, window, endMs, afterEnd }: GateContext): Decision | undefined {
  const until = block.policy.extendUntil;
  if (until === undefined || endMs < toMs(until)) return undefined;
  return { kind: "stop", reason: "extend-until-reached", detail: `ends ${window}, extendUntil ${canonicalIso(until)}`, retryAt: afterEnd };
}

/** As many extensions bought as the policy allows; look again after the end so the expiry is recorded. */
function maxExtensionsReached({ block, afterEnd }: GateContext): Decision | undefined {
  const max = block.policy.maxExtensions;
  if (max === undefined || block.extensionsPurchased < max) return undefined;
  const detail = `${block.extensionsPurchased} of ${max} extensions bought`;
  return { kind: "stop", reason: "max-extensions-reached", detail, retryAt: afterEnd };
}

/**
 * At most one purchase per window: anything bought for this end date (by CBM or outside, in any status) blocks a
 * second one. A failed payment is not retried in the same window: it would likely fail again and charge twice.
 */
function windowAlreadyBought({ block, history, window, nowMs, afterEnd }: GateContext): Decision | undefined {
  const inWindow = history.filter((h) => sameInstant(h.startDate, window));
  const bought =
    sameInstant(block.lastPurchaseWindow, window) || sameInstant(block.pendingExtension?.window, window) || inWindow.length > 0;
  if (!bought) return undefined;
  const failed = inWindow.some((h) => h.status === "payment-failed") && !inWindow.some((h) => h.status === "payment-succeeded");
  if (failed)
    return { kind: "stop", reason: "payment-failed", detail: `the extension bought for ${window} failed payment`, retryAt: afterEnd };
  return { kind: "wait", until: isoAt(nowMs + PAYMENT_POLL_MS), reason: "extension-bought" };
}

/** Too early: come back when the lookahead opens (or sooner, to notice changes made outside CBM). */
function windowNotOpen(c: GateContext): Decision | undefined {
  const opensMs = toMs(buyingWindow(c).opensAt);
  if (c.nowMs >= opensMs) return undefined;
  return { kind: "wait", until: isoAt(Math.min(opensMs, c.nowMs + c.settings.recheckIntervalMs)), reason: "window-not-open" };
}

/** Too late to buy safely (EC2 stops at end − 1 h, payment needs time); look again after the end. */
function windowClosed(c: GateContext): Decision | undefined {
  const { closesAt } = buyingWindow(c);
  if (c.nowMs <= toMs(closesAt)) return undefined;
  return { kind: "stop", reason: "window-closed", detail: `the window closed at ${closesAt}`, retryAt: c.afterEnd };
}

/** A person said no for this window; a new window (after an outside extension) is a new question. */
function windowDenied({ block, window, afterEnd }: GateContext): Decision | undefined {
  const denial = block.denial;
  if (!denial || !sameInstant(denial.window, window)) return undefined;
  return { kind: "stop", reason: "denied", detail: `denied by ${denial.by}`, retryAt: afterEnd };
}

// --- An offering to buy, and the authorization that covers it --------------------------------------------------

/** The offering to buy and what authorizes it; offerings still to fetch, or why none may be bought, come first. */
function buyOrAsk(c: GateContext): Decision {
  const choice = chooseOffering(c.block, c.window, c.offerings);
  if (choice.kind === "fetch") return { kind: "fetch-offerings", window: c.window, durationsHours: choice.durationsHours };
  if (choice.kind === "none") {
    // Budget only frees up when a payment fails or a person raises it (which makes the block due at once).
    if (choice.reason === "budget-exhausted") return { kind: "stop", reason: choice.reason, detail: choice.detail, retryAt: c.recheckAt };
    // Capacity and prices change over time: retry with exponential backoff while the window is open.
    const retryAt = backoffUntil(c.block.failures ?? 0, c.now, c.settings);
    return { kind: "stop", reason: choice.reason, detail: choice.detail, retryAt };
  }
  const offer = { ...c, offering: choice.offering };
  return firstDecision(AUTHORIZATION_GATES, offer) ?? askForApproval(offer);
}

/** The gate context once an offering is chosen. */
interface OfferContext extends GateContext {
  offering: ExtensionOffering;
}

/** Without approval the policy in force is the authorization; chooseOffering kept the offering inside its terms. */
function policyAuthorizes({ block, window, offering }: OfferContext): Decision | undefined {
  if (block.policy.requireApproval) return undefined;
  const authorization = { kind: "policy" as const, terms: termsFromPolicy(block, window, "policy") };
  return { kind: "purchase", window, offering, approval: "not-required", authorization };
}

/**
 * An approval belongs to the window it was given for (an older one is inert) and covers only its terms. What is on
 * offer now may not be what the person agreed to: then the approval is void and the new terms are asked for, unless
 * nobody can be asked (no approver reachable): then the automatic approval applies, as without one.
 */
function approvalCovers(c: OfferContext): Decision | undefined {
  const { block, window, offering } = c;
  const approval = block.approval;
  if (!approval || !sameInstant(approval.window, window)) return undefined;
  const coverage: Coverage = approval.terms
    ? covers(approval.terms, block, window, offering)
    : { covered: false, reason: "it was given before CBM recorded what an approval covers" };
  if (coverage.covered) {
    const authorization = { kind: "approval" as const, terms: approval.terms!, by: approval.by, at: approval.at };
    return { kind: "purchase", window, offering, approval: "approved", authorization };
  }
  return c.settings.autoApprove ? undefined : askForApproval(c, coverage.reason);
}

/** No approver can be reached (no topic configured): the original README approves automatically, within the policy. */
function autoApproved({ block, window, offering, settings }: OfferContext): Decision | undefined {
  if (!settings.autoApprove) return undefined;
  const authorization = { kind: "auto-approval" as const, terms: termsFromPolicy(block, window, "policy") };
  return { kind: "purchase", window, offering, approval: "auto-approved", authorization };
}

/** Nothing authorizes the purchase: a person is asked (first notice, reminder, last call), or the block waits. */
function askForApproval(c: OfferContext, voided?: string): Decision {
  const closesMs = toMs(buyingWindow(c).closesAt);
  return requestApproval(c.block, c.window, c.offering, c.nowMs, closesMs, c.settings, voided);
}

function firstDecision<C>(gates: readonly Gate<C>[], c: C): Decision | undefined {
  for (const gate of gates) {
    const decision = gate(c);
    if (decision) return decision;
  }
  return undefined;
}

function gateContext(input: DecideInput): GateContext {
  const { block, reservation: r, history, offerings, now, settings } = input;
  // reservationUnknown decided for every block whose reservation EC2 does not know.
  if (!r) throw new Error("invariant: the reservation gates need EC2's view of the reservation");
  const nowMs = now.getTime();
  const window = canonicalIso(r.endDate);
  const endMs = toMs(window);
  return {
    block,
    r,
    history,
    offerings,
    settings,
    now,
    nowMs,
    recheckAt: isoAt(nowMs + settings.recheckIntervalMs),
    window,
    endMs,
    afterEnd: isoAt(Math.max(endMs, nowMs) + AFTER_END_MS),
  };
}

/** The part of the window CBM buys in, under the policy's lookahead. */
function buyingWindow({ window, block, settings }: Pick<GateContext, "window" | "block" | "settings">) {
  return extensionWindow(window, block.policy, settings);
}
