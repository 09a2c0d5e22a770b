import type { ReservationView } from "./ec2-view";
import type { BlockOffering, OfferingSearch } from "./offerings";

/** The tag a purchase of a new block carries: its value is the intent id, so an ambiguous purchase can be found. */
export const INTENT_TAG_KEY = "cbm:intent";

/** A block bought with PurchaseCapacityBlock, as EC2 returned it (state payment-pending at first). */
export interface BoughtBlock {
  reservation: ReservationView;
  /** The `cb-…` id of the block the reservation belongs to, when EC2 said. */
  capacityBlockId?: string;
}

/**
 * EC2's market for new Capacity Blocks, as CBM needs it; one instance serves every region. Errors are
 * InfrastructureError subclasses: ThrottledError for describe limits, RejectedError when a purchase certainly did
 * nothing, AmbiguousOutcomeError when it may have bought.
 */
export interface BlockMarket {
  /** DescribeCapacityBlockOfferings in one region (all pages), with the describe-limit backoff done inside. */
  offerings(region: string, search: Omit<OfferingSearch, "regions">): Promise<BlockOffering[]>;
  /**
   * PurchaseCapacityBlock with SDK retries off, tagged `INTENT_TAG_KEY = intentId` (plus `tags`) so an ambiguous
   * outcome is settled by `findTagged`, never by buying again.
   */
  purchase(
    region: string,
    offeringId: string,
    opts: { intentId: string; platform: string; tags?: Record<string, string> },
  ): Promise<BoughtBlock>;
  /** Capacity-block reservations in `region` tagged `INTENT_TAG_KEY = intentId` (DescribeCapacityReservations, tag filter). */
  findTagged(region: string, intentId: string): Promise<ReservationView[]>;
}

/** Sleeping is a port too, so backoff is testable without timers. */
export type Sleep = (ms: number) => Promise<void>;
