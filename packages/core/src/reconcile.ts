import type { Block } from "./block";
import type { ExtensionRecord, ExtensionStatus, ReservationView } from "./ec2-view";
import type { HistoryEvent, HistoryEventType } from "./history";
import { durationText } from "./ladder";
import { subtractMoney, compareMoney } from "./money";
import type { Notification } from "./notification";
import { HOUR_MS, canonicalIso, isoAt, sameInstant, toMs } from "./time";

/** A history event before the store gives it an id. */
export type HistoryEventDraft = Omit<HistoryEvent, "id">;

export interface ReconcileResult {
  /** The record with EC2's truth copied in; `updatedAt` moves only when something changed. */
  block: Block;
  /** False when nothing changed, so the scheduler can skip the write (no per-record writes every minute). */
  changed: boolean;
  events: HistoryEventDraft[];
  notifications: Notification[];
}

/**
 * Copies EC2's truth into the stored record before the engine decides: the end and start dates (EC2's, never a
 * person's), missing descriptive fields, the outcome of a pending extension's payment, and drops approvals,
 * denials and approval requests that belong to a window that no longer exists.
 */
export function reconcile(block: Block, reservation: ReservationView | undefined, history: ExtensionRecord[], now: Date): ReconcileResult {
  const at = isoAt(now.getTime());
  const next: Block = { ...block };
  const events: HistoryEventDraft[] = [];
  const notifications: Notification[] = [];
  const event = (type: HistoryEventType, message: string, data?: Record<string, unknown>) =>
    events.push({ PK: block.PK, at, type, actor: "scheduler", message, ...(data ? { data } : {}) });

  settlePending(next, reservation, history, event, (n) => notifications.push({ ...n, pk: block.PK, at }));

  if (reservation) {
    const end = canonicalIso(reservation.endDate);
    if (!sameInstant(block.endDate, end)) {
      if (block.endDate !== undefined) {
        const by = history.find(
          (h) => h.status === "payment-succeeded" && sameInstant(h.startDate, block.endDate) && sameInstant(h.endDate, end),
        );
        const message =
          block.status === "registered"
            ? `EC2's end date ${end} replaces the ${block.endDate} given at registration`
            : by
              ? `end date moved from ${block.endDate} to ${end} by extension ${by.offeringId}`
              : `end date moved from ${block.endDate} to ${end} outside CBM`;
        event("end-date-changed", message, { from: block.endDate, to: end, ...(by ? { offeringId: by.offeringId } : {}) });
      }
      next.endDate = end;
    }
    if (reservation.startDate !== undefined && !sameInstant(block.startDate, reservation.startDate))
      next.startDate = canonicalIso(reservation.startDate);
    // Descriptive fields a person gave are kept; EC2 fills the ones left out. Before a CB starts EC2 may report 0 instances.
    if (next.instanceType === undefined && reservation.instanceType !== undefined) next.instanceType = reservation.instanceType;
    if (next.availabilityZone === undefined && reservation.availabilityZone !== undefined)
      next.availabilityZone = reservation.availabilityZone;
    if (next.platform === undefined && reservation.platform !== undefined) next.platform = reservation.platform;
    if (next.tenancy === undefined && reservation.tenancy !== undefined) next.tenancy = reservation.tenancy;
    if (next.instanceCount === undefined && reservation.instanceCount !== undefined && reservation.instanceCount > 0)
      next.instanceCount = reservation.instanceCount;

    // A verdict belongs to one window (EC2 end date): once the end moved past it, it must not carry over. A verdict
    // for a later window (given while this window's extension was being paid) waits for its window instead.
    const endMs = toMs(end);
    if (next.approval && toMs(next.approval.window) < endMs) next.approval = null;
    if (next.denial && toMs(next.denial.window) < endMs) next.denial = null;
    if (next.approvalRequest && !sameInstant(next.approvalRequest.window, end)) next.approvalRequest = null;
    const approved = next.approval != null && sameInstant(next.approval.window, end);
    if (next.approved !== approved) next.approved = approved;
  }

  const changed = JSON.stringify(next) !== JSON.stringify(block);
  if (changed) next.updatedAt = at;
  return { block: next, changed, events, notifications };
}

type EventFn = (type: HistoryEventType, message: string, data?: Record<string, unknown>) => void;
type NoteFn = (n: Omit<Notification, "pk" | "at">) => void;

function settlePending(
  next: Block,
  reservation: ReservationView | undefined,
  history: ExtensionRecord[],
  event: EventFn,
  notify: NoteFn,
): void {
  const p = next.pendingExtension;
  if (!p) return;
  const rec = history.find((h) => h.offeringId === p.offeringId);
  let outcome: ExtensionStatus | undefined = rec?.status;
  // History may lag the reservation: an end moved by exactly the bought duration is our extension paid.
  if (!rec && reservation && toMs(reservation.endDate) === toMs(p.window) + p.durationHours * HOUR_MS) outcome = "payment-succeeded";
  if (outcome === undefined || outcome === "payment-pending") return;

  next.pendingExtension = null;
  const data = {
    offeringId: p.offeringId,
    window: p.window,
    upfrontFee: p.upfrontFee,
    currencyCode: p.currencyCode,
    external: p.external === true,
  };
  if (outcome === "payment-succeeded") {
    if (p.external) {
      event("payment-succeeded", `extension ${p.offeringId}, bought outside CBM, was paid`, data);
      return;
    }
    next.extensionsPurchased = next.extensionsPurchased + 1;
    event(
      "payment-succeeded",
      `extension ${p.offeringId} (${durationText(p.durationHours)}, ${p.upfrontFee} ${p.currencyCode}) was paid`,
      data,
    );
    notify({
      key: `${next.PK}#${p.window}#paid`,
      kind: "purchased",
      subject: `Capacity block ${next.name ?? next.PK} extended`,
      body: `The extension of ${next.capacityReservationId} bought for the window ending ${p.window} (${durationText(p.durationHours)}, ${p.upfrontFee} ${p.currencyCode}) was paid.`,
    });
    return;
  }
  // payment-failed: the CB keeps its old end. The window stays marked as bought (lastPurchaseWindow), so CBM
  // does not try again in it; the fee no longer counts against the budget.
  if (p.external) {
    event("payment-failed", `extension ${p.offeringId}, bought outside CBM, failed payment`, data);
    return;
  }
  const refunded = subtractMoney(next.spent, p.upfrontFee);
  next.spent = compareMoney(refunded, "0") < 0 ? "0" : refunded;
  next.status = "payment-failed";
  next.statusReason = `payment for extension ${p.offeringId} failed; the block still ends at ${p.window}`;
  event("payment-failed", next.statusReason, data);
  notify({
    key: `${next.PK}#${p.window}#payment-failed`,
    kind: "payment-failed",
    subject: `Capacity block ${next.name ?? next.PK}: extension payment failed`,
    body: `EC2 reports payment-failed for extension ${p.offeringId} of ${next.capacityReservationId}. The block still ends at ${p.window}; CBM will not buy again in this window.`,
  });
}
