import { Block, type HistoryEvent, addMoney, compareMoney } from "@cbm/core";
import { type IntentEvidence, authorizationGap, authorizationKey, intentEvidence } from "./reliability-authorization";
import { type BlockModel, InvariantError, type Purchase, canon, purchaseViolation } from "./reliability-model";
import { type SequenceRun, bump } from "./reliability-sequence";

/*
 * Money safety, checked against EC2's ledger after every step of a sequence, and the books after its quiet period:
 * every purchase covered by exactly one authorization of the registration that existed then, within its terms.
 */

export function purchases(ctx: SequenceRun): Purchase[] {
  const ours = new Set(ctx.models.map((m) => m.cr));
  const exts = new Map(ctx.control.extensions().map((e) => [e.capacityBlockExtensionOfferingId, e]));
  return ctx.control
    .ledger()
    .filter((l) => l.action === "PurchaseCapacityBlockExtension" && ours.has(l.capacityReservationId))
    .map((l) => {
      const e = exts.get(l.offeringId);
      if (!e) throw new InvariantError(`ledger entry ${l.offeringId} has no extension in EC2`);
      return {
        cr: l.capacityReservationId,
        offeringId: l.offeringId,
        atMs: Date.parse(l.at),
        upfrontFee: l.upfrontFee,
        durationHours: l.durationHours,
        currencyCode: l.currencyCode,
        window: canon(e.capacityBlockExtensionStartDate),
        status: e.capacityBlockExtensionStatus,
        paymentResolvesAtMs: e.paymentResolvesAt ? Date.parse(e.paymentResolvesAt) : undefined,
      };
    });
}

export async function historyOf(ctx: SequenceRun, pk: string): Promise<HistoryEvent[]> {
  const out: HistoryEvent[] = [];
  let cursor: string | undefined;
  do {
    const page = await ctx.h.history.list(pk, { limit: 200, ...(cursor ? { cursor } : {}) });
    out.push(...page.items);
    cursor = page.cursor;
  } while (cursor);
  return out;
}

/** The one purchase-intent event CBM wrote for the offering EC2 sold (history outlives registrations). */
export async function evidenceFor(ctx: SequenceRun, m: BlockModel, offeringId: string): Promise<IntentEvidence> {
  if (!ctx.evidence.has(offeringId)) for (const [o, list] of intentEvidence(await historyOf(ctx, m.pk))) ctx.evidence.set(o, list);
  const list = ctx.evidence.get(offeringId) ?? [];
  if (list.length !== 1)
    throw new InvariantError(
      `purchase ${offeringId} of ${m.cr} has ${list.length} purchase-intent events in the history of ${m.pk}, not exactly one authorization`,
    );
  return list[0]!;
}

/**
 * Money safety after every step. Per purchase in EC2's ledger: one per window; exactly one authorization,
 * whose terms cover it, of the registration that existed then, given by the model if it is an approval, never
 * used twice; and allowed by a policy state in force (window, duration, cap, budget across registrations …).
 */
export async function checkSafety(ctx: SequenceRun, when: string, readStore = true): Promise<void> {
  if (ctx.unreadable.length > 0) throw new InvariantError(`${when}: ${ctx.unreadable[0]!.message}`);
  ctx.actions.checkApprovals(when);
  const all = purchases(ctx);
  const usedBy = new Map<string, string>();
  for (const m of ctx.models) {
    const mine = all.filter((p) => p.cr === m.cr);
    const perWindow = new Map<string, number>();
    for (const p of mine) perWindow.set(p.window, (perWindow.get(p.window) ?? 0) + 1);
    for (const [w, n] of perWindow) if (n > 1) throw new InvariantError(`${when}: ${n} purchases for ${m.cr} in window ${w}`);
    for (const [idx, bought] of mine.entries()) {
      const call = ctx.calls.find((c) => c.offeringId === bought.offeringId);
      if (!call) throw new InvariantError(`${when}: EC2 sold ${bought.offeringId} for ${m.cr} without a recorded call from CBM`);
      const p = { ...bought, atMs: call.atMs };
      const ev = await evidenceFor(ctx, m, p.offeringId);
      const gap = authorizationGap(p, ev, {
        m,
        approvals: ctx.st.approvals,
        write: ctx.intentWrites.get(ev.intent.id),
        snapshots: call.snapshots,
      });
      if (gap)
        throw new InvariantError(
          `${when}: purchase ${p.offeringId} of ${m.cr}: its ${ev.authorization.kind} authorization does not hold: ${gap}`,
        );
      const key = authorizationKey(ev);
      const other = usedBy.get(key);
      if (other !== undefined)
        throw new InvariantError(`${when}: purchases ${other} and ${p.offeringId} of ${m.cr} used the same authorization (${key})`);
      usedBy.set(key, p.offeringId);
      const inForce = call.snapshots.filter((s) => s.registrationId === ev.authorization.terms.registrationId);
      const reasons = inForce.map((s) =>
        purchaseViolation(p, s, mine.slice(0, idx), { autoApprove: ctx.autoApprove, kind: ev.authorization.kind }),
      );
      if (inForce.length === 0 || reasons.every((r) => r !== null)) {
        throw new InvariantError(
          `${when}: purchase ${p.offeringId} of ${m.cr} was not allowed: ${reasons.join(" / ") || "no model state of its registration"}`,
        );
      }
    }
  }
  if (!readStore) return;
  const stored = await Promise.all(ctx.models.map((m) => ctx.h.store.get(m.pk)));
  stored.forEach((b, i) => {
    const m = ctx.models[i]!;
    if (!b) throw new InvariantError(`${when}: block ${m.pk} is gone`);
    const parsed = Block.safeParse(b);
    if (!parsed.success) throw new InvariantError(`${when}: block ${m.pk} no longer parses: ${parsed.error.message}`);
    if (b.registrationId !== m.registration.id)
      throw new InvariantError(`${when}: ${m.pk} is registration ${b.registrationId}, the model created ${m.registration.id}`);
    const last = ctx.st.versions.get(m.registration.id) ?? 0;
    if (b.version < last) throw new InvariantError(`${when}: version of ${m.pk} went back from ${last} to ${b.version}`);
    ctx.st.versions.set(m.registration.id, b.version);
    if (compareMoney(b.spent, "0") < 0) throw new InvariantError(`${when}: ${m.pk} spent is negative (${b.spent})`);
  });
}

/** CBM's books match EC2's: what the current registration counts as spent is what EC2 took for the reservation. */
export async function checkBooks(ctx: SequenceRun, m: BlockModel, after: Purchase[]): Promise<void> {
  const b = (await ctx.h.store.get(m.pk))!;
  if (b.intent) throw new InvariantError(`after the quiet period ${m.pk} still has an unsettled intent ${b.intent.offeringId}`);
  const mine = after.filter((p) => p.cr === m.cr);
  const pendingOrPaid = mine.filter((p) => p.status !== "payment-failed").reduce((s, p) => addMoney(s, p.upfrontFee), "0");
  // CBM learns of a failed payment on its next look, so it may still count one that just failed.
  const all = mine.reduce((s, p) => addMoney(s, p.upfrontFee), "0");
  if (compareMoney(b.spent, pendingOrPaid) < 0 || compareMoney(b.spent, all) > 0) {
    throw new InvariantError(
      `bookkeeping: ${m.pk} spent ${b.spent}, EC2 took ${pendingOrPaid} (${all} with failed payments) over ${m.registrations.length} registration(s)`,
    );
  }
}

export async function countAuthorizations(ctx: SequenceRun, after: Purchase[]): Promise<void> {
  for (const p of after) {
    const m = ctx.models.find((x) => x.cr === p.cr)!;
    bump(ctx.stats.authorizations, (await evidenceFor(ctx, m, p.offeringId)).authorization.kind);
    if (ctx.calls.find((c) => c.offeringId === p.offeringId)?.clientFailed) bump(ctx.stats.authorizations, "late");
    if (m.registrations.length > 1) bump(ctx.stats.authorizations, "re-registered");
  }
}
