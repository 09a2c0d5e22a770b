import type { DecisionKind } from "./decision";
import type { ExtensionRecord } from "./ec2-view";
import { addMoney } from "./money";

/** What one scheduler tick did: logged as one line, turned into metrics, returned by the tick function. */
export interface TickReport {
  /** Due blocks read from the index. */
  due: number;
  /** Blocks a decision was carried out for (or a failure recorded). */
  processed: number;
  /** Blocks left for a later tick: deadline reached, or another writer won the conditional write. */
  skipped: number;
  decisions: Partial<Record<DecisionKind, number>>;
  /** PurchaseCapacityBlockExtension calls made, and how many EC2 answered with success. */
  purchaseAttempts: number;
  purchases: number;
  errors: number;
  throttled: number;
  /** Conditional writes lost to another writer. */
  conflicts: number;
  /** Block writes made (a block with nothing new costs none). */
  writes: number;
  notifications: number;
  /**
   * Extensions recorded as bought in this tick: EC2 answered the purchase with success and the record was written,
   * or an earlier intent was settled from EC2's history as bought. Each extension is counted once, by one tick.
   */
  bought: number;
  /** Sum of the fees of `bought`, per currency, as decimal strings. */
  spend: Record<string, string>;
  /** Blocks whose approval is outstanding: a request (or reminder) sent, or a wait for the answer. */
  approvalsPending: number;
  /** Extensions EC2 reported as payment-failed in this tick (reconcile recorded the failure). */
  paymentFailures: number;
  /** EC2 calls that failed, and that were throttled. */
  ec2Errors: number;
  ec2Throttles: number;
  /** Blocks at risk (ending within 24 h, to be extended, not paid), when this tick swept all blocks; else absent. */
  blocksAtRisk?: number;
  /** Expiry reminders sent by this tick, when it swept for them; else absent. */
  reminders?: number;
  deadlineReached: boolean;
  /** The due blocks could not be read (DynamoDB failed or did not answer in time): the tick ended early, cleanly. */
  dueUnavailable?: boolean;
  durationMs: number;
}

/** A report with every counter at zero, at the start of a tick. */
export function emptyTickReport(): TickReport {
  return {
    due: 0,
    processed: 0,
    skipped: 0,
    decisions: {},
    purchaseAttempts: 0,
    purchases: 0,
    errors: 0,
    throttled: 0,
    conflicts: 0,
    writes: 0,
    notifications: 0,
    bought: 0,
    spend: {},
    approvalsPending: 0,
    paymentFailures: 0,
    ec2Errors: 0,
    ec2Throttles: 0,
    deadlineReached: false,
    durationMs: 0,
  };
}

/** Counts one extension recorded as bought; money stays a decimal string (only the metric edge makes it a number). */
export function countBought(report: TickReport, ext: Pick<ExtensionRecord, "currencyCode" | "upfrontFee">): void {
  report.bought++;
  report.spend[ext.currencyCode] = addMoney(report.spend[ext.currencyCode] ?? "0", ext.upfrontFee);
}
