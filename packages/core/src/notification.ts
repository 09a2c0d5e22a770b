/** A notice to people (approvals, purchases, alarms); the Notifier port delivers it. */
export interface Notification {
  /** Stable key: the same notice for the same window is never sent twice (e.g. `PK#window#first`). */
  key: string;
  kind:
    | "approval-request"
    | "approval-reminder"
    | "approval-last-call"
    | "payment-failed"
    | "payment-pending-alert"
    | "no-offering"
    | "purchased"
    | "stopped"
    | "error"
    /** Before the block's EC2 end, at the configured offsets, whatever CBM will do about it. */
    | "expiry-reminder"
    /** AWS's own Capacity Block event (delivered, expiration warning) from EventBridge. */
    | "capacity-block-event";
  pk: string;
  subject: string;
  body: string;
  at: string;
}
