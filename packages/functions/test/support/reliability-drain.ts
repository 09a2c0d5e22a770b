import { addMoney, compareMoney } from "@cbm/core";
import { type BlockModel, InvariantError, type Purchase, canon, coverageGap, feeFor, snapshot, wantedHours } from "./reliability-model";
import { CLOSES_BEFORE_MS, CURRENCY, MAX_WINDOW_MS } from "./reliability-commands";
import { iso, time } from "./scheduler-harness";
import { DRAIN_MS, DRAIN_MAX_TICKS, type SequenceRun, bump } from "./reliability-sequence";
import { landHeldCalls, tickLane } from "./reliability-steps";
import { purchases, evidenceFor, checkSafety, checkBooks, countAuthorizations } from "./reliability-checks";

/*
 * The quiet period at the end of a sequence: faults off, the clock moved into the windows, ticks until every
 * extension the model expects is bought; then liveness (what should have been bought was, under the right
 * authorization) and the books.
 */

/** What the quiet period must bring for one block: a purchase in `window`, first re-approving if `reapprove`. */
export interface Expectation {
  m: BlockModel;
  window: string;
  /** The approval the purchase must use: the one held, when it covers the quote. */
  approvalBy?: string;
  /** The approval held does not cover the quote: CBM must void it with a terms-changed notice, the model approves the new quote. */
  reapprove: boolean;
  reapprovedBy?: string;
}

export function ec2End(ctx: SequenceRun, m: BlockModel): string {
  return canon(ctx.control.reservation(m.cr)!.endDate);
}

export function windowOf(ctx: SequenceRun, m: BlockModel) {
  const end = Date.parse(ec2End(ctx, m));
  return {
    opens: Math.max(end - m.policy.lookaheadHours * time.HOUR, end - MAX_WINDOW_MS),
    lastStart: end - CLOSES_BEFORE_MS - DRAIN_MS,
  };
}

/**
 * What the model says must happen in the quiet period (from EC2, prices and the model only), or why nothing
 * must: the rules of the policy, then the authorization: the policy alone, an approval whose terms cover the
 * quote, one that does not (re-approval after the terms-changed notice), or automatic approval.
 */
export function expectationFor(ctx: SequenceRun, m: BlockModel, t0: number, before: Purchase[]): Expectation | string {
  if (!m.present) return "unregistered";
  const r = ctx.control.reservation(m.cr);
  if (!r || (r.state !== "active" && r.state !== "scheduled")) return "no-reservation";
  const end = ec2End(ctx, m);
  const w = windowOf(ctx, m);
  if (!(w.opens <= t0 && t0 <= w.lastStart)) return "window";
  const mine = before.filter((p) => p.cr === m.cr);
  if (mine.some((p) => p.window === end)) return "bought";
  const p = m.policy;
  if (!p.enabled) return "disabled";
  if (m.denial === end) return "denied";
  if (p.extendUntil !== undefined && Date.parse(end) >= Date.parse(p.extendUntil)) return "extend-until";
  if (p.maxExtensions !== undefined && mine.filter((x) => x.status === "payment-succeeded").length >= p.maxExtensions)
    return "max-extensions";
  const hours = wantedHours(p, end);
  if (m.unavailableHours.has(hours)) return "no-capacity";
  const fee = feeFor(ctx.rate, m.instanceCount, hours);
  if (p.maxUpfrontFee !== undefined && compareMoney(fee, p.maxUpfrontFee) > 0) return "cap";
  const spent = mine.filter((x) => x.status !== "payment-failed").reduce((s, x) => addMoney(s, x.upfrontFee), "0");
  if (p.budget !== undefined && compareMoney(addMoney(spent, fee), p.budget) > 0) return "budget";
  if (!p.requireApproval) return { m, window: end, reapprove: false };
  const held = m.held?.window === end ? m.held : null;
  if (held) {
    const quote = {
      capacityReservationId: m.cr,
      registrationId: m.registration.id,
      window: end,
      durationHours: hours,
      upfrontFee: fee,
      currencyCode: CURRENCY,
    };
    return coverageGap(held.terms, quote) === null
      ? { m, window: end, approvalBy: held.by, reapprove: false }
      : { m, window: end, reapprove: true };
  }
  return ctx.autoApprove ? { m, window: end, reapprove: false } : "no-approval";
}

/**
 * The approver answers a voided approval's notice before the quiet period: an approval of the quoted terms.
 * (Unanswered, CBM waits for the next reminder or the last call, even when no approver can be reached and it
 * would otherwise buy automatically.) Whether the new approval covers what is on offer now is up to the rules.
 */
export async function answerVoidNotices(ctx: SequenceRun): Promise<void> {
  for (const m of ctx.models) {
    if (!m.present || !m.policy.requireApproval) continue;
    const end = ec2End(ctx, m);
    if (m.held?.window === end) continue;
    const last = ctx.st.notices.filter((n) => n.registrationId === m.registration.id && n.window === end).at(-1);
    if (last?.notice !== "terms-changed") continue;
    if (await ctx.actions.approve(m, "patch", { concurrent: false })) ctx.st.count("approved-after-void");
  }
}

/** The approver answers the terms-changed notice of the quiet period by approving the new quote. */
export async function reapprove(ctx: SequenceRun, expected: Expectation[], sinceSeq: number): Promise<void> {
  for (const e of expected) {
    if (!e.reapprove || e.reapprovedBy) continue;
    const notice = ctx.st.notices.find(
      (n) => n.seq > sinceSeq && n.registrationId === e.m.registration.id && n.window === e.window && n.notice === "terms-changed",
    );
    if (!notice) continue;
    const given = await ctx.actions.approve(e.m, "patch", { concurrent: false });
    if (!given) throw new InvariantError(`liveness: ${e.m.pk} could not be approved again after the terms-changed notice`);
    e.reapprovedBy = given.by;
    ctx.st.count("reapproved");
  }
}

/** Quiet period: faults off, no crashes, the clock moved into the windows; then liveness and bookkeeping. */
export async function drain(ctx: SequenceRun): Promise<void> {
  for (const f of ctx.control.faults()) if (f.fired > 0) bump(ctx.stats.faultsFired, f.kind, f.fired);
  ctx.control.clearFaults();
  await landHeldCalls(ctx);
  const nowMs = () => ctx.h.clock.now().getTime();
  // Pick the start that puts the most windows open for the whole quiet period.
  const candidates = [nowMs(), ...ctx.models.map((m) => windowOf(ctx, m).opens)].filter((t) => t >= nowMs());
  let best = nowMs();
  let bestCount = -1;
  for (const t of candidates.sort((a, b) => a - b)) {
    const n = ctx.models.filter((m) => windowOf(ctx, m).opens <= t && t <= windowOf(ctx, m).lastStart).length;
    if (n > bestCount) [best, bestCount] = [t, n];
  }
  if (best > nowMs()) ctx.control.advance(best - nowMs());
  const t0 = nowMs();
  ctx.trace.push(`${iso(t0)} drain`);
  await answerVoidNotices(ctx);
  const drainSeq = ctx.st.seq.next();

  const before = purchases(ctx);
  const expected: Expectation[] = [];
  for (const m of ctx.models) {
    const e = expectationFor(ctx, m, t0, before);
    if (typeof e === "string") bump(ctx.stats.skipped, e);
    else expected.push(e);
  }
  ctx.stats.livenessExpected += expected.length;
  ctx.stats.livenessSkipped += ctx.models.length - expected.length;
  ctx.trace.push(
    `  expected: ${expected.map((e) => `${e.m.pk} ${e.window}${e.reapprove ? " (re-approve)" : e.approvalBy ? ` (with ${e.approvalBy})` : ""}`).join(", ") || "none"}`,
  );

  const plain = tickLane(ctx, { quiet: true }).tick;
  for (let i = 0; i < DRAIN_MAX_TICKS; i++) {
    ctx.tickSnapshots = new Map(ctx.models.map((m) => [m.cr, [snapshot(m)]]));
    const r = await plain();
    ctx.tickSnapshots = null;
    ctx.stats.ticks++;
    ctx.stats.drainTicks = (ctx.stats.drainTicks ?? 0) + 1;
    ctx.trace.push(
      `  drain ${iso(nowMs())} ${JSON.stringify({ due: r.due, d: r.decisions, buy: r.purchaseAttempts, ok: r.purchases, err: r.errors })}`,
    );
    await reapprove(ctx, expected, drainSeq);
    if (nowMs() >= t0 + DRAIN_MS) break;
    const blocks = await Promise.all(ctx.models.map((m) => ctx.h.store.get(m.pk)));
    // Done early once every expected extension is bought and no purchase is left unsettled.
    const bought = new Set(purchases(ctx).map((p) => `${p.cr} ${p.window}`));
    if (blocks.every((b) => !b?.intent) && expected.every((e) => bought.has(`${e.m.cr} ${e.window}`))) break;
    const next = Math.min(...blocks.map((b) => (b?.nextCheckAt ? Date.parse(b.nextCheckAt) : Infinity)));
    const to = Math.min(Math.max(next, nowMs() + time.MINUTE), t0 + DRAIN_MS);
    ctx.control.advance(to - nowMs());
  }
  await checkSafety(ctx, "after the quiet period");

  const after = purchases(ctx);
  ctx.stats.purchases += after.length;
  await countAuthorizations(ctx, after);
  for (const e of expected) await checkLiveness(ctx, e, after);
  for (const m of ctx.models) await checkBooks(ctx, m, after);
}

export async function checkLiveness(ctx: SequenceRun, e: Expectation, after: Purchase[]): Promise<void> {
  const { m, window } = e;
  const bought = after.find((p) => p.cr === m.cr && p.window === window);
  if (!bought) {
    const b = await ctx.h.store.get(m.pk);
    const why = e.reapprove && !e.reapprovedBy ? " (its approval no longer covers the quote, and no terms-changed notice came)" : "";
    throw new InvariantError(
      `liveness: ${m.pk} (${m.cr}) should have been extended in window ${window} during the quiet period${why}; it is ${b?.status}: ${b?.statusReason}`,
    );
  }
  // The approval held is the one used (before automatic approval); a voided one never is: the re-approval is.
  const must = e.reapprove ? e.reapprovedBy : e.approvalBy;
  if (must !== undefined) {
    const ev = await evidenceFor(ctx, m, bought.offeringId);
    if (ev.authorization.by !== must) {
      throw new InvariantError(
        `liveness: ${m.pk} bought in ${window} under ${ev.authorization.kind} ${ev.authorization.by ?? ""}, not the approval ${must}`,
      );
    }
  }
}
