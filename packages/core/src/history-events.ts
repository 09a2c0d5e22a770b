import type { Authorization } from "./authorization";
import type { Block, PurchaseIntent } from "./block";
import type { Decision } from "./decision";
import type { ExtensionOffering, ExtensionRecord } from "./ec2-view";
import type { HistoryEvent } from "./history";
import { durationText } from "./ladder";

/*
 * Every history event CBM writes, in one place: the scheduler's and the API's. A builder returns the event's type,
 * message and data; the caller adds who, when and an id.
 */

/** A history event before it has a block, an actor, an instant and an id. */
export type EventSpec = Pick<HistoryEvent, "type" | "message"> & { data?: Record<string, unknown> };

const fee = (x: { durationHours: number; upfrontFee: string; currencyCode: string }) =>
  `${durationText(x.durationHours)} for ${x.upfrontFee} ${x.currencyCode}`;

/** Which authorization a purchase uses, in words: "the policy", or "the approval by alice at …". */
export function authorizationText(a: Authorization): string {
  if (a.kind === "policy") return "the policy (no approval required)";
  if (a.kind === "auto-approval") return "automatic approval within the policy (no approver can be reached)";
  return `the approval by ${a.by ?? "?"} at ${a.at ?? "?"}`;
}

export const createdEvent = (b: Block, warnings: string[]): EventSpec => ({
  type: "created",
  message: `Created for ${b.capacityReservationId} in ${b.region}`,
  data: { registrationId: b.registrationId, ...(warnings.length ? { warnings } : {}) },
});

export const updatedEvent = (fields: string[]): EventSpec => ({
  type: "updated",
  message: `Updated ${fields.join(", ")}`,
  data: { fields },
});

export const deletedEvent = (b: Block): EventSpec => ({
  type: "deleted",
  message: `Deleted; spend kept with ${b.capacityReservationId}: ${b.spent} ${b.policy.currency}, ${b.extensionsPurchased} extension(s)`,
  data: { version: b.version, spent: b.spent, extensionsPurchased: b.extensionsPurchased },
});

export const statusChangedEvent = (from: Block, to: Block): EventSpec => ({
  type: "status-changed",
  message: `${from.status} → ${to.status}: ${to.statusReason ?? ""}`,
  data: { from: from.status, to: to.status },
});

export const paymentPendingAlertEvent = (ext: ExtensionRecord, window: string): EventSpec => ({
  type: "payment-pending-alert",
  message: `extension ${ext.offeringId} still payment-pending; the block ends ${window}`,
  data: { offeringId: ext.offeringId },
});

export const approvalVoidedEvent = (approval: Block["approval"], reason: string): EventSpec => ({
  type: "approval-voided",
  message: `the approval given by ${approval?.by ?? "?"} no longer covers the purchase: ${reason}`,
  data: { reason, approval: approval ?? null },
});

export const approvalRequestedEvent = (d: Extract<Decision, { kind: "request-approval" }>, count: number): EventSpec => ({
  type: "approval-requested",
  message: `${d.notice} approval notice #${count} for the window ending ${d.window}: ${fee(d.offering)}`,
  data: {
    notice: d.notice,
    count,
    offeringId: d.offering.offeringId,
    upfrontFee: d.offering.upfrontFee,
    durationHours: d.offering.durationHours,
    currencyCode: d.offering.currencyCode,
  },
});

export const autoApprovedEvent = (window: string, offering: ExtensionOffering): EventSpec => ({
  type: "auto-approved",
  message: `approved automatically for the window ending ${window}: no approval topic is configured`,
  data: { window, offeringId: offering.offeringId },
});

export const purchaseIntentEvent = (intent: PurchaseIntent, d: Extract<Decision, { kind: "purchase" }>): EventSpec => ({
  type: "purchase-intent",
  message: `buying ${fee(intent)} (${intent.offeringId}), authorized by ${authorizationText(d.authorization)}`,
  data: { intent, approval: d.approval, authorization: d.authorization },
});

export const purchasedEvent = (ext: ExtensionRecord, intentId: string, fromHistory = false): EventSpec => ({
  type: "purchased",
  message: `bought ${fee(ext)} (${ext.offeringId})${fromHistory ? ", confirmed from EC2's history" : ""}`,
  data: { extension: ext, intentId },
});

export const purchaseRejectedEvent = (intent: PurchaseIntent, error: { code: string; message: string }): EventSpec => ({
  type: "purchase-rejected",
  message: `EC2 rejected the purchase of ${intent.offeringId}: ${error.message}`,
  data: { intentId: intent.id, code: error.code },
});

export const purchaseAmbiguousEvent = (intent: PurchaseIntent, error: { code: string; message: string }): EventSpec => ({
  type: "purchase-ambiguous",
  message: `purchase of ${intent.offeringId} may or may not have happened: ${error.message}`,
  data: { intentId: intent.id, code: error.code },
});

export const intentSettledBoughtEvent = (intent: PurchaseIntent, ext: ExtensionRecord): EventSpec => ({
  type: "intent-settled",
  message: `intent ${intent.id} settled from EC2's history: bought (${ext.status})`,
  data: { intentId: intent.id, outcome: "purchased", extension: ext },
});

export const intentSettledNotBoughtEvent = (intent: PurchaseIntent): EventSpec => ({
  type: "intent-settled",
  message: `intent ${intent.id} settled: ${intent.offeringId} was not bought`,
  data: { intentId: intent.id, outcome: "not-purchased" },
});
