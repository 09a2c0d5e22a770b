import type { ExtensionOffering, ExtensionRecord } from "./ec2-view";
import type { Authorization } from "./authorization";
import type { PurchaseIntent } from "./block";

/** Why the engine stopped acting on a block (for this window, or for good). */
export type StopReason =
  | "expired"
  | "not-found"
  | "not-owned"
  | "other-stage" // tagged cbm:stage for another CBM stage: only that stage buys for it
  | "unclaimed" // no cbm:stage tag yet: the tick claims it before this stage may buy
  | "not-extendable"
  | "window-closed"
  | "extend-until-reached"
  | "max-extensions-reached"
  | "budget-exhausted"
  | "denied"
  | "no-offering"
  | "price-above-cap"
  | "currency-mismatch"
  | "payment-failed"
  | "paused";

export type WaitReason =
  | "window-not-open" // the lookahead window opens at `until`
  | "approval-pending" // request sent; next reminder or last call at `until`
  | "reservation-pending" // the CB itself is still payment-pending
  | "settling" // an intent is too fresh to conclude it never reached EC2
  | "backoff" // throttled or failing; try again at `until`
  | "extension-bought"; // this window's extension is bought; waiting for EC2 to settle payment and move the end date

/** `terms-changed`: an approval no longer covered what is on offer (policy edit, price change); it was voided. */
export type ApprovalNotice = "first" | "reminder" | "last-call" | "terms-changed";

/**
 * The one thing the scheduler should do for a block on this tick. Expected outcomes are values, not exceptions.
 * `window` is always the reservation's current EC2 end date (ISO), which identifies the extension window.
 */
export type Decision =
  | { kind: "wait"; until: string; reason: WaitReason }
  /** The engine needs offerings for these durations (hours, preferred first) before it can decide. */
  | { kind: "fetch-offerings"; window: string; durationsHours: number[] }
  /** `voided`: why the approval held for this window no longer covers the offering (it is dropped, and people told). */
  | { kind: "request-approval"; window: string; offering: ExtensionOffering; notice: ApprovalNotice; nextCheckAt: string; voided?: string }
  /** `authorization`: the one authorization whose terms cover this purchase. */
  | {
      kind: "purchase";
      window: string;
      offering: ExtensionOffering;
      approval: "not-required" | "approved" | "auto-approved";
      authorization: Authorization;
    }
  | { kind: "await-payment"; window: string; extension: ExtensionRecord; alert: boolean; nextCheckAt: string }
  /** An intent exists: `purchased` if EC2's history shows it, `not-purchased` once it provably never took effect. */
  | { kind: "settle-intent"; intent: PurchaseIntent; outcome: "purchased"; extension: ExtensionRecord }
  | { kind: "settle-intent"; intent: PurchaseIntent; outcome: "not-purchased" }
  /** `retryAt` absent: terminal until something changes (a person edits the block, or EC2's end date moves). */
  | { kind: "stop"; reason: StopReason; detail: string; retryAt?: string };

export type DecisionKind = Decision["kind"];
