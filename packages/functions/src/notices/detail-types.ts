// Imports nothing, so the stack (stacks/notices.ts) can read the names without loading the domain.

/** The EventBridge source of AWS's Capacity Block events: the stack's rule matches it, the handler checks it. */
export const CAPACITY_BLOCK_EVENT_SOURCE = "aws.ec2";

/**
 * The detail-types of AWS's own Capacity Block events (source `aws.ec2`). AWS's documentation spells them two ways
 * ("Capacity Block Reservation Delivered" and "Capacity Block Delivered"); both are matched.
 */
export const CAPACITY_BLOCK_DETAIL_TYPES = {
  delivered: ["Capacity Block Reservation Delivered", "Capacity Block Delivered"],
  "expiration-warning": ["Capacity Block Reservation Expiration Warning", "Capacity Block Expiration Warning"],
} as const;

export type CapacityBlockEventKind = keyof typeof CAPACITY_BLOCK_DETAIL_TYPES;

/** Every spelling, for the EventBridge rule's pattern. */
export const ALL_CAPACITY_BLOCK_DETAIL_TYPES: string[] = Object.values(CAPACITY_BLOCK_DETAIL_TYPES).flat();
