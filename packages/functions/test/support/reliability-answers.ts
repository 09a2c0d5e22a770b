import { type Block, compareMoney } from "@cbm/core";
import {
  type BlockModel,
  InvariantError,
  type ModelApproval,
  type Terms,
  canon,
  policyTerms,
  quoteTerms,
  sameTerms,
} from "./reliability-model";
import { type SequenceState } from "./reliability-actions";

/*
 * What the model checks in CBM's answers to its actions: a re-created block carries the reservation's spend, and
 * every approval covers what the approver was shown (or the policy, in advance).
 */

export function describeTerms(t: Terms): string {
  return `${t.basis} ${t.durationsHours.join("/")} h ≤ ${t.maxUpfrontFee ?? "(no fee)"} ${t.currency} @ ${t.window}`;
}

/** Spend belongs to the reservation: the new registration starts from exactly what the deleted one had. */
export function checkCarried(m: BlockModel, deleted: Block, created: Block): void {
  const problems = [
    compareMoney(created.spent, deleted.spent) !== 0 && `spent ${deleted.spent} → ${created.spent}`,
    created.extensionsPurchased !== deleted.extensionsPurchased &&
      `extensionsPurchased ${deleted.extensionsPurchased} → ${created.extensionsPurchased}`,
    (created.pendingExtension?.offeringId ?? null) !== (deleted.pendingExtension?.offeringId ?? null) &&
      `pending extension ${deleted.pendingExtension?.offeringId} → ${created.pendingExtension?.offeringId}`,
    (created.lastPurchaseWindow ? canon(created.lastPurchaseWindow) : null) !==
      (deleted.lastPurchaseWindow ? canon(deleted.lastPurchaseWindow) : null) &&
      `lastPurchaseWindow ${deleted.lastPurchaseWindow} → ${created.lastPurchaseWindow}`,
  ].filter(Boolean);
  if (problems.length > 0) throw new InvariantError(`re-created ${m.pk} did not carry the reservation's spend: ${problems.join(", ")}`);
}

/**
 * What the model expects an approval to cover: the quote of the last notice it read for that registration and
 * window, or, with none, the policy in advance. A notice that arrived while the approval was in flight may be
 * the one it covers (CBM records a notice's quote just before sending it).
 */
function expectedTerms(st: SequenceState, a: ModelApproval): Terms[] {
  const m = st.models.find((x) => x.registrations.some((r) => r.id === a.registrationId))!;
  const forWindow = st.notices.filter((n) => n.registrationId === a.registrationId && n.window === a.window);
  const last = forWindow.filter((n) => n.seq < a.issued).at(-1);
  const meanwhile = forWindow.filter((n) => n.seq > a.issued).map((n) => quoteTerms(m, a.registrationId, n));
  if (last) return [quoteTerms(m, a.registrationId, last), ...meanwhile];
  return [...a.policies.map((p) => policyTerms(m, a.registrationId, p, a.window, "advance")), ...meanwhile];
}

/** Every approval covers what the approver was shown (or the policy, in advance): checked once all notices are in. */
export function checkApprovals(st: SequenceState, when: string): void {
  for (const a of st.approvals.values()) {
    if (a.checked) continue;
    const expected = expectedTerms(st, a);
    if (!expected.some((t) => sameTerms(t, a.terms))) {
      throw new InvariantError(
        `${when}: the approval by ${a.by} covers ${describeTerms(a.terms)}; the model expected ${expected.map(describeTerms).join(" or ")}`,
      );
    }
    a.checked = true;
  }
}
