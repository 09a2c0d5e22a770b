/** Fields that CBM maintains; a client that sends them gets a "read-only" error rather than "unknown". */
export const READ_ONLY_FIELDS: readonly string[] = [
  "createdAt",
  "updatedAt",
  "status",
  "statusReason",
  "lastError",
  "spent",
  "extensionsPurchased",
  "nextCheckAt",
  "failures",
  "intent",
  "pendingExtension",
  "lastPurchaseWindow",
  "approvalRequest",
  "denial",
  "registrationId",
  "successorPurchases",
];

/**
 * Members GET /{PK} adds that are CBM's readings, not fields of the record (`usage`, `outlook`): a whole record read
 * back and PUT again, as first-release scripts do, carries them, and the PUT drops them.
 */
export const READINGS: readonly string[] = ["usage", "outlook"];

/** The first release's `status` values (and what its README and scripts send): ignored with a warning. */
export const FIRST_RELEASE_STATUSES: ReadonlySet<string> = new Set([
  "NO_ACTION_REQUIRED",
  "EXTENSION_APPROVAL_REQUIRED",
  "EXTENDED",
  "ERROR",
  "ACTIVE",
  "PENDING",
]);

/** The warning for a `status` a client sent: CBM keeps its own. */
export function ignoredStatusNotice(status: unknown): string {
  return `status ${JSON.stringify(status)} is ignored: CBM sets a block's status itself`;
}
