import type { Block } from "./block";
import type { ExtensionOffering, ExtensionRecord, ReservationView } from "./ec2-view";

/** Tunables of the engine; the defaults follow EC2's documented rules (reference §2.3). */
export interface EngineSettings {
  /** The account CBM runs in: only the owner of a CB can extend it. */
  accountId: string;
  /**
   * The deployed stage: it buys only for reservations tagged `cbm:stage=<stage>` (see stageClaim). Absent (tests,
   * local mode without one): no stage rule, as before stages were told apart.
   */
  stage?: string;
  /** No approver can be reached (no topic): approval-required blocks are approved automatically and recorded. */
  autoApprove: boolean;
  /** EC2 sells extensions from this long before the end. Default 56 days. */
  windowOpensBeforeMs: number;
  /** EC2 stops selling this long before the end (1 h) plus CBM's safety margin. Default 65 min. */
  windowClosesBeforeMs: number;
  /** Approval reminder interval. Default 12 h. */
  reminderIntervalMs: number;
  /** The last-call approval notice goes out when the window closes within this. Default 3 h. */
  lastCallBeforeMs: number;
  /** A payment still pending this close to the end raises an alert. Default 2 h. */
  paymentAlertBeforeMs: number;
  /** An unconfirmed intent younger than this is not concluded "never purchased" (EC2 history may lag). Default 2 min. */
  settleGraceMs: number;
  /** Base and cap of exponential backoff for no-offering, price-above-cap, throttling and errors. */
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** How often a waiting or stopped-but-retryable block is looked at anyway, to pick up changes made outside CBM. */
  recheckIntervalMs: number;
}

export const DEFAULT_ENGINE_SETTINGS: Omit<EngineSettings, "accountId" | "autoApprove"> = {
  windowOpensBeforeMs: 56 * 24 * 3600_000,
  windowClosesBeforeMs: 65 * 60_000,
  reminderIntervalMs: 12 * 3600_000,
  lastCallBeforeMs: 3 * 3600_000,
  paymentAlertBeforeMs: 2 * 3600_000,
  settleGraceMs: 2 * 60_000,
  backoffBaseMs: 5 * 60_000,
  backoffMaxMs: 6 * 3600_000,
  recheckIntervalMs: 6 * 3600_000,
};

/** Everything the engine needs to decide; it reads nothing else. */
export interface DecideInput {
  /** The stored record, already reconciled with `reservation` (see reconcile()). */
  block: Block;
  /** EC2's view; `undefined` when EC2 does not know the reservation. */
  reservation: ReservationView | undefined;
  /** EC2's extension history for the reservation (may be empty), newest or oldest first, the engine does not care. */
  history: ExtensionRecord[];
  /** Offerings per duration in hours, when the engine asked for them with `fetch-offerings`. */
  offerings?: ReadonlyMap<number, ExtensionOffering[]>;
  now: Date;
  /**
   * Real elapsed time, when the Clock is virtual (local mode runs it faster): a purchase call's timeout is wall time,
   * so an intent is settled "not bought" only once both clocks say the call can no longer take effect. Default: now.
   */
  wallNow?: Date;
  settings: EngineSettings;
}
