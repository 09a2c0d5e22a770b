import type { ExtensionPolicy } from "@cbm/core";

/**
 * Open a capacity request: what, when, where, price limits, approval, and the policy of the block once bought. The
 * use case turns it into core's RequestWanted / RequestLimits, which hold the business rules (ladder, ranges, money).
 */
export interface CreateRequestCommand {
  name?: string;
  instanceType: string;
  instanceCount: number;
  durationHours?: number;
  /** Default: now. */
  earliestStart?: string;
  latestStart: string;
  /** Default: the region CBM runs in. */
  regions?: string[];
  availabilityZones?: string[];
  allAvailabilityZones?: boolean;
  maxUpfrontFee?: string;
  maxPricePerInstanceHour?: string;
  budget?: string;
  currency?: string;
  requireApproval: boolean;
  platform: string;
  /** The PK the bought block is registered under. */
  blockPk?: string;
  /** The bought block's extension policy. */
  policy?: Partial<ExtensionPolicy>;
  tags?: Record<string, string>;
  /** The reservation a successor request continues (set by the worker, never from the wire). */
  successorOf?: string;
}
