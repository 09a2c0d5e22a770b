/** The records the emulator keeps. Times are epoch milliseconds of the virtual clock. */

export type ReservationState =
  | "payment-pending"
  | "payment-failed"
  | "scheduled"
  | "active"
  | "expired"
  | "cancelled"
  | "failed"
  | "pending"
  | "unavailable";

export const RESERVATION_STATES: readonly ReservationState[] = [
  "payment-pending",
  "payment-failed",
  "scheduled",
  "active",
  "expired",
  "cancelled",
  "failed",
  "pending",
  "unavailable",
];

export type ExtensionStatus = "payment-pending" | "payment-failed" | "payment-succeeded";

export interface Tag {
  key: string;
  value: string;
}

/** How a pending payment will end; decided at purchase time so the outcome is a pure function of the clock. */
export interface Payment {
  resolvesAtMs: number;
  outcome: "succeeded" | "failed";
}

export interface Reservation {
  id: string;
  capacityBlockId: string;
  region: string;
  ownerId: string;
  /** Accounts the block is shared into (RAM); they see it but cannot extend it. */
  sharedWith: Set<string>;
  availabilityZone: string;
  instanceType: string;
  instanceCount: number;
  instancePlatform: string;
  startMs: number;
  /** The end as bought; the current end also counts extensions whose payment has succeeded. */
  baseEndMs: number;
  createMs: number;
  tags: Tag[];
  /** A seeded state that never changes by itself (for states the lifecycle cannot reach, e.g. "cancelled"). */
  pinnedState?: ReservationState;
  /** Set for blocks bought through PurchaseCapacityBlock (or seeded as payment-pending). */
  payment?: Payment;
  extensions: Extension[];
  /** Instances running in the block (set by the control API; 0 when absent): available = total − running while active. */
  running?: number;
  /** DescribeCapacityBlockStatus's interconnect status for the block (set by the control API; "ok" when absent). */
  interconnectStatus?: InterconnectStatus;
}

/** The values EC2 documents for a capacity block's interconnect (the `interconnect-status` filter). */
export const INTERCONNECT_STATUSES = ["ok", "impaired", "insufficient-data"] as const;
export type InterconnectStatus = (typeof INTERCONNECT_STATUSES)[number];

export interface Extension {
  reservationId: string;
  region: string;
  accountId: string;
  offeringId: string;
  durationHours: number;
  purchaseMs: number;
  startMs: number;
  endMs: number;
  upfrontFee: string;
  currencyCode: string;
  payment: Payment;
  requestId: string;
}

export interface ExtensionOffering {
  id: string;
  region: string;
  accountId: string;
  reservationId: string;
  durationHours: number;
  extensionStartMs: number;
  extensionEndMs: number;
  upfrontFee: string;
  createdMs: number;
  /** Offerings are first-come, first-served: once bought, the same id cannot buy again. */
  purchased: boolean;
}

export interface BlockOffering {
  id: string;
  region: string;
  accountId: string;
  instanceType: string;
  instanceCount: number;
  availabilityZone: string;
  startMs: number;
  endMs: number;
  durationHours: number;
  durationMinutes: number;
  upfrontFee: string;
  createdMs: number;
  purchased: boolean;
}

/** One purchase, extension or new block, in the order they happened. Tests prove exactly-once with it. */
export interface LedgerEntry {
  seq: number;
  at: string;
  action: "PurchaseCapacityBlockExtension" | "PurchaseCapacityBlock";
  region: string;
  accountId: string;
  capacityReservationId: string;
  offeringId: string;
  durationHours: number;
  upfrontFee: string;
  currencyCode: string;
  requestId: string;
  /** The caller was answered with a 500 although the purchase took effect. */
  faultAfter?: boolean;
}

/** One EC2 API request as the server saw it. */
export interface CallRecord {
  seq: number;
  at: string;
  action: string;
  region: string;
  accountId: string;
  status: number;
  errorCode?: string;
  /** The SDK's `amz-sdk-request` header, e.g. "attempt=2; max=3": shows retries. */
  attempt?: string;
  requestId: string;
}
