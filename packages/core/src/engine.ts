import type { Block, PurchaseIntent } from "./block";
import type { Decision } from "./decision";
import type { ExtensionOffering, ExtensionRecord, ReservationView } from "./ec2-view";
import type { DecideInput, EngineSettings } from "./engine-types";
import { isLadderHours } from "./ladder";
import { wantedDurationsDays } from "./wanted-durations";
import { addMoney, compareMoney, isDecimalString } from "./money";
import { MINUTE_MS, canonicalIso, isoAt, sameInstant, toMs } from "./time";
import { extensionWindow } from "./window";
import { callMayStillLand } from "./purchase-outcome";
import { covers, termsFromPolicy, type Coverage } from "./authorization";
import { feeFitsPolicy } from "./policy-fit";
import { otherStageDetail, STAGE_TAG_KEY, stageClaim } from "./stage-claim";

/** How often an in-flight payment, a pending reservation or a bought-but-unsettled window is polled. */
export const PAYMENT_POLL_MS = 5 * MINUTE_MS;
/** Slack after an end date before looking again, so EC2 has flipped the state to `expired` (or moved the end). */
export const AFTER_END_MS = 5 * MINUTE_MS;

const EXTENDABLE_STATES: ReadonlySet<string> = new Set(["active", "scheduled"]);

/** Exponential backoff delay after `failures` consecutive failures: base × 2^failures, capped at the maximum. */
export function backoffDelayMs(failures: number, settings: Pick<EngineSettings, "backoffBaseMs" | "backoffMaxMs">): number {
  // The exponent is capped so 2^failures cannot overflow to Infinity on a long-failing block.
  const factor = 2 ** Math.min(Math.max(failures, 0), 30);
  return Math.min(settings.backoffBaseMs * factor, settings.backoffMaxMs);
}

/** The instant to retry at after `failures` consecutive failures (always after `now`). */
export function backoffUntil(failures: number, now: Date, settings: Pick<EngineSettings, "backoffBaseMs" | "backoffMaxMs">): string {
  return isoAt(now.getTime() + Math.max(backoffDelayMs(failures, settings), 1));
}

/**
 * The policy engine: from the stored record, EC2's view, the extension history, the offerings (when fetched) and
 * now, the one thing to do for a block. Pure; every branch that could spend money is guarded before `purchase`.
 */
export function decide(input: DecideInput): Decision {
  const { block, reservation: r, history, now, settings } = input;
  const nowMs = now.getTime();
  const policy = block.policy;
  const recheckAt = isoAt(nowMs + settings.recheckIntervalMs);

  // An unfinished purchase is settled before anything else, even for a block that expired or vanished since:
  // until we know whether EC2 took the money, buying again (or forgetting the fee) would be wrong.
  if (block.intent) return settleIntent(block.intent, r, history, nowMs, (input.wallNow ?? now).getTime(), settings);

  // EC2 does not know the reservation (mistyped id, or expired long ago): nothing to watch until a person edits it.
  if (!r) return { kind: "stop", reason: "not-found", detail: `EC2 does not know ${block.capacityReservationId}` };

  // Expired blocks can never be extended again; terminal.
  if (r.state === "expired") return { kind: "stop", reason: "expired", detail: `ended at ${canonicalIso(r.endDate)}` };

  // Only the owner can extend a shared CB; looked at again later in case the account setting was a mistake.
  if (r.ownerId !== settings.accountId) {
    return { kind: "stop", reason: "not-owned", detail: `owned by ${r.ownerId}, not by ${settings.accountId}`, retryAt: recheckAt };
  }

  // Another stage's table holds its own intents for this reservation: both buying would pay twice. Looked at again
  // later in case a person re-tags it. Unclaimed is the tick's job (it tags before deciding); should a decision see
  // it anyway, nothing is bought until the claim is made.
  const claim = stageClaim(r.tags, settings.stage);
  if (claim.kind === "other-stage") {
    return { kind: "stop", reason: "other-stage", detail: otherStageDetail(claim.stage, settings.stage), retryAt: recheckAt };
  }
  if (claim.kind === "claim") {
    const detail = `not yet tagged ${STAGE_TAG_KEY}=${settings.stage!}; claimed before this stage buys`;
    return { kind: "stop", reason: "unclaimed", detail, retryAt: isoAt(nowMs + PAYMENT_POLL_MS) };
  }

  const window = canonicalIso(r.endDate);
  const endMs = toMs(window);
  const afterEnd = isoAt(Math.max(endMs, nowMs) + AFTER_END_MS);

  // EC2 allows one extension in payment-pending at a time, whoever bought it; watch it instead of buying.
  const pending = history.find((h) => h.status === "payment-pending");
  if (pending) return awaitPayment(block, window, pending, nowMs, settings);

  // Paused: watch (above) but never buy or ask.
  if (!policy.enabled) return { kind: "stop", reason: "paused", detail: "policy.enabled is false", retryAt: recheckAt };

  // The CB's own purchase is still being paid; EC2 will not extend it yet.
  if (r.state === "payment-pending") return { kind: "wait", until: isoAt(nowMs + PAYMENT_POLL_MS), reason: "reservation-pending" };

  // EC2 extends only active or scheduled CBs; other states (payment-failed, cancelled …) are looked at rarely.
  if (!EXTENDABLE_STATES.has(r.state)) {
    return { kind: "stop", reason: "not-extendable", detail: `EC2 state is ${r.state}`, retryAt: recheckAt };
  }

  // The owner's goal is met; look again after the end so the expiry is recorded.
  if (policy.extendUntil !== undefined && endMs >= toMs(policy.extendUntil)) {
    return {
      kind: "stop",
      reason: "extend-until-reached",
      detail: `ends ${window}, extendUntil ${canonicalIso(policy.extendUntil)}`,
      retryAt: afterEnd,
    };
  }
  if (policy.maxExtensions !== undefined && block.extensionsPurchased >= policy.maxExtensions) {
    return {
      kind: "stop",
      reason: "max-extensions-reached",
      detail: `${block.extensionsPurchased} of ${policy.maxExtensions} extensions bought`,
      retryAt: afterEnd,
    };
  }

  // At most one purchase per window: anything bought for this end date (by CBM or outside, in any status) blocks a
  // second one. A failed payment is not retried in the same window: it would likely fail again and charge twice.
  const inWindow = history.filter((h) => sameInstant(h.startDate, window));
  if (sameInstant(block.lastPurchaseWindow, window) || sameInstant(block.pendingExtension?.window, window) || inWindow.length > 0) {
    const failed = inWindow.some((h) => h.status === "payment-failed") && !inWindow.some((h) => h.status === "payment-succeeded");
    if (failed)
      return { kind: "stop", reason: "payment-failed", detail: `the extension bought for ${window} failed payment`, retryAt: afterEnd };
    return { kind: "wait", until: isoAt(nowMs + PAYMENT_POLL_MS), reason: "extension-bought" };
  }

  const w = extensionWindow(window, policy, settings);
  const opensMs = toMs(w.opensAt);
  const closesMs = toMs(w.closesAt);
  // Too early: come back when the lookahead opens (or sooner, to notice changes made outside CBM).
  if (nowMs < opensMs)
    return { kind: "wait", until: isoAt(Math.min(opensMs, nowMs + settings.recheckIntervalMs)), reason: "window-not-open" };
  // Too late to buy safely (EC2 stops at end − 1 h, payment needs time); look again after the end.
  if (nowMs > closesMs) return { kind: "stop", reason: "window-closed", detail: `the window closed at ${w.closesAt}`, retryAt: afterEnd };

  // A person said no for this window; a new window (after an outside extension) is a new question.
  if (sameInstant(block.denial?.window, window)) {
    return { kind: "stop", reason: "denied", detail: `denied by ${block.denial!.by}`, retryAt: afterEnd };
  }

  const choice = chooseOffering(block, window, input.offerings);
  if (choice.kind === "fetch") return { kind: "fetch-offerings", window, durationsHours: choice.durationsHours };
  if (choice.kind === "none") {
    const failures = block.failures ?? 0;
    // Budget only frees up when a payment fails or a person raises it (which makes the block due at once).
    if (choice.reason === "budget-exhausted") return { kind: "stop", reason: choice.reason, detail: choice.detail, retryAt: recheckAt };
    // Capacity and prices change over time: retry with exponential backoff while the window is open.
    return { kind: "stop", reason: choice.reason, detail: choice.detail, retryAt: backoffUntil(failures, now, settings) };
  }
  const offering = choice.offering;

  // Without approval the policy in force is the authorization; chooseOffering kept the offering inside its terms.
  if (!policy.requireApproval) {
    return {
      kind: "purchase",
      window,
      offering,
      approval: "not-required",
      authorization: { kind: "policy", terms: termsFromPolicy(block, window, "policy") },
    };
  }
  // An approval belongs to the window it was given for (an older one is inert) and covers only its terms.
  const approval = sameInstant(block.approval?.window, window) ? block.approval! : undefined;
  if (approval) {
    const coverage: Coverage = approval.terms
      ? covers(approval.terms, block, window, offering)
      : { covered: false, reason: "it was given before CBM recorded what an approval covers" };
    if (coverage.covered) {
      return {
        kind: "purchase",
        window,
        offering,
        approval: "approved",
        authorization: { kind: "approval", terms: approval.terms!, by: approval.by, at: approval.at },
      };
    }
    // What is on offer now is not what the person agreed to: the approval is void and the new terms are asked for,
    // unless nobody can be asked (no approver reachable): then the automatic approval below applies, as without one.
    if (!settings.autoApprove) return requestApproval(block, window, offering, nowMs, closesMs, settings, coverage.reason);
  }
  // No approver can be reached (no topic configured): the original README approves automatically, within the policy.
  if (settings.autoApprove) {
    return {
      kind: "purchase",
      window,
      offering,
      approval: "auto-approved",
      authorization: { kind: "auto-approval", terms: termsFromPolicy(block, window, "policy") },
    };
  }

  return requestApproval(block, window, offering, nowMs, closesMs, settings);
}

function settleIntent(
  intent: PurchaseIntent,
  r: ReservationView | undefined,
  history: ExtensionRecord[],
  nowMs: number,
  wallNowMs: number,
  settings: EngineSettings,
): Decision {
  // EC2's history is the source of truth: our offering there means EC2 took the order (whatever its payment status).
  const extension = history.find((h) => h.offeringId === intent.offeringId);
  if (extension) return { kind: "settle-intent", intent, outcome: "purchased", extension };
  const windowEndMs = toMs(intent.window);
  if (intent.confirmedAt !== undefined) {
    // EC2 answered the purchase with success: never conclude otherwise while its history may still be catching
    // up; only once the intent's window has passed without any trace is it taken as not bought.
    if (nowMs < windowEndMs + settings.settleGraceMs) {
      return { kind: "wait", until: isoAt(Math.min(nowMs + PAYMENT_POLL_MS, windowEndMs + settings.settleGraceMs)), reason: "settling" };
    }
    return { kind: "settle-intent", intent, outcome: "not-purchased" };
  }
  // The end moved past the intent's window without our offering in the history: that window is gone, and with
  // it any chance of buying in it; the intent is settled without a purchase by us.
  if (r && toMs(r.endDate) > windowEndMs) return { kind: "settle-intent", intent, outcome: "not-purchased" };
  // History can lag a fresh purchase by a little: do not conclude "never reached EC2" too early.
  const graceEnd = toMs(intent.createdAt) + settings.settleGraceMs;
  if (nowMs < graceEnd) return { kind: "wait", until: isoAt(graceEnd), reason: "settling" };
  // The call may still be in flight (its timeout runs on wall time, which a virtual Clock outruns): wait it out.
  if (intent.callSettledAt !== undefined && callMayStillLand(intent.callSettledAt, wallNowMs)) {
    const remainingMs = toMs(intent.callSettledAt) - wallNowMs;
    return { kind: "wait", until: isoAt(nowMs + Math.min(PAYMENT_POLL_MS, Math.max(remainingMs, 1_000))), reason: "settling" };
  }
  return { kind: "settle-intent", intent, outcome: "not-purchased" };
}

function awaitPayment(block: Block, window: string, extension: ExtensionRecord, nowMs: number, settings: EngineSettings): Decision {
  const alertMs = toMs(window) - settings.paymentAlertBeforeMs;
  const tracked = block.pendingExtension?.offeringId === extension.offeringId ? block.pendingExtension : undefined;
  // One alert per extension: the scheduler records alertedAt (see markPaymentAlerted) when it sends it.
  const alert = nowMs >= alertMs && tracked?.alertedAt == null;
  const next = alertMs > nowMs ? Math.min(nowMs + PAYMENT_POLL_MS, alertMs) : nowMs + PAYMENT_POLL_MS;
  return { kind: "await-payment", window, extension, alert, nextCheckAt: isoAt(next) };
}

type OfferingChoice =
  | { kind: "fetch"; durationsHours: number[] }
  | { kind: "chosen"; offering: ExtensionOffering }
  | { kind: "none"; reason: "no-offering" | "currency-mismatch" | "price-above-cap" | "budget-exhausted"; detail: string };

/**
 * Walks the wanted durations in order and takes the cheapest usable offering of the first duration whose price
 * fits both the cap and the remaining budget. Offerings for another window (stale), off the ladder, or in another
 * currency are never bought. Durations not fetched yet are requested, so a scheduler may fetch lazily.
 */
function chooseOffering(block: Block, window: string, offerings: DecideInput["offerings"]): OfferingChoice {
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

function requestApproval(
  block: Block,
  window: string,
  offering: ExtensionOffering,
  nowMs: number,
  closesMs: number,
  settings: EngineSettings,
  voided?: string,
): Decision {
  const lastCallMs = closesMs - settings.lastCallBeforeMs;
  // Looking once just after the close lets the block move to window-closed instead of waiting for a reminder.
  const closeCheckMs = closesMs + MINUTE_MS;
  const req = sameInstant(block.approvalRequest?.window, window) ? block.approvalRequest! : undefined;
  const soonest = (...ms: number[]) => isoAt(Math.min(...ms));
  if (voided !== undefined) {
    // One notice at once saying what changed, whatever the reminder schedule; reminders follow from it.
    const pendingLastCall = req?.lastCallSent || nowMs >= lastCallMs ? Infinity : lastCallMs;
    return {
      kind: "request-approval",
      window,
      offering,
      notice: "terms-changed",
      voided,
      nextCheckAt: soonest(nowMs + settings.reminderIntervalMs, pendingLastCall, closeCheckMs),
    };
  }
  if (!req) {
    // A window that opens inside the last-call period gets one notice, the last call, rather than two in a row.
    const notice = nowMs >= lastCallMs ? "last-call" : "first";
    const next =
      notice === "first"
        ? soonest(nowMs + settings.reminderIntervalMs, lastCallMs, closeCheckMs)
        : soonest(nowMs + settings.reminderIntervalMs, closeCheckMs);
    return { kind: "request-approval", window, offering, notice, nextCheckAt: next };
  }
  if (!req.lastCallSent && nowMs >= lastCallMs) {
    return {
      kind: "request-approval",
      window,
      offering,
      notice: "last-call",
      nextCheckAt: soonest(nowMs + settings.reminderIntervalMs, closeCheckMs),
    };
  }
  const pendingLastCall = req.lastCallSent ? Infinity : lastCallMs;
  const reminderMs = toMs(req.lastSentAt) + settings.reminderIntervalMs;
  if (nowMs >= reminderMs) {
    return {
      kind: "request-approval",
      window,
      offering,
      notice: "reminder",
      nextCheckAt: soonest(nowMs + settings.reminderIntervalMs, pendingLastCall, closeCheckMs),
    };
  }
  // Never one notice per tick: sleep until the next reminder or the last call, whichever is first.
  return { kind: "wait", until: soonest(reminderMs, pendingLastCall, closeCheckMs), reason: "approval-pending" };
}
