import * as z from "zod";
import { StoredTags } from "./tags";
import { Authorization } from "./authorization";
import { ExtensionPolicy, IsoDateTime, Money } from "./policy";
import { BlockInstanceCount, BlockOffering, InstanceTypeName, LadderDurationHours, RegionName } from "./offerings";
import { PK } from "./block";

/** Where a capacity request stands. Terminal: fulfilled, payment-failed, expired, cancelled. */
export const RequestStatus = z.enum([
  "searching", // looking for an offering that fits, every tick (with backoff when none does)
  "awaiting-approval", // an offering fits; a person must approve its exact terms
  "purchasing", // purchase intent recorded; outcome being settled from EC2 by the intent's tag
  "payment-pending", // bought; EC2 is collecting the payment
  "fulfilled", // paid; the block is registered as a managed block
  "payment-failed", // EC2 could not collect the payment; nothing more is bought for this request
  "expired", // the latest start passed with nothing bought
  "cancelled", // a person cancelled it before anything was bought
]);
export type RequestStatus = z.infer<typeof RequestStatus>;

export const TERMINAL_REQUEST_STATUSES: ReadonlySet<RequestStatus> = new Set(["fulfilled", "payment-failed", "expired", "cancelled"]);

/** A request holds its name while open or fulfilled (it names the block bought); a failed or cancelled one frees it. */
export function holdsItsName(r: { status: RequestStatus }): boolean {
  return r.status === "fulfilled" || !TERMINAL_REQUEST_STATUSES.has(r.status);
}

/** The form of every request id (a ULID): a name of this form is refused, so a reference is never both. */
export const REQUEST_ID_PATTERN = /^[0-9A-HJKMNP-TV-Z]{26}$/i;

/** What to buy and where: one block of `instanceCount` × `instanceType` for `durationHours`, starting in a range. */
export const RequestWanted = z.object({
  instanceType: InstanceTypeName,
  instanceCount: BlockInstanceCount,
  durationHours: LadderDurationHours,
  earliestStart: IsoDateTime,
  latestStart: IsoDateTime,
  regions: z.array(RegionName).min(1).max(6),
  /** Only these zones (e.g. the zone of the data or of a block the new one succeeds); any zone of the regions when absent. */
  availabilityZones: z
    .array(z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d+[a-z0-9-]*$/))
    .max(20)
    .optional(),
  allAvailabilityZones: z.boolean().optional(),
});
export type RequestWanted = z.infer<typeof RequestWanted>;

/** What a request may spend. Every cap is checked before any purchase; a purchase above any of them never happens. */
export const RequestLimits = z
  .object({
    /** Highest total fee of the block. */
    maxUpfrontFee: Money.optional(),
    /** Highest price per instance-hour. */
    maxPricePerInstanceHour: Money.optional(),
    /**
     * Everything this request may cost: the block and then its extensions. The purchase must fit, and the registered
     * block's policy budget becomes what is left (or its own, lower, budget).
     */
    budget: Money.optional(),
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/)
      .default("USD"),
  })
  .refine((l) => l.maxUpfrontFee !== undefined || l.budget !== undefined || l.maxPricePerInstanceHour !== undefined, {
    message: "give at least one of maxUpfrontFee, maxPricePerInstanceHour or budget: CBM never buys without a price cap",
  });
export type RequestLimits = z.infer<typeof RequestLimits>;

/**
 * The terms of one approval of a request: exactly the quoted offering's type, count, zone, start and duration, at
 * most its fee, in its currency. A later search's offering with the same terms (EC2 issues a new id per search) is
 * covered; any other is not.
 */
export const RequestTerms = z.object({
  requestId: z.string(),
  instanceType: z.string(),
  instanceCount: z.number().int(),
  region: z.string(),
  availabilityZone: z.string(),
  startDate: IsoDateTime,
  durationHours: z.number().int(),
  maxUpfrontFee: Money,
  currency: z.string(),
  offeringId: z.string().optional(),
});
export type RequestTerms = z.infer<typeof RequestTerms>;

/** A person's approval of the terms of a quote. */
export const RequestApproval = z.object({ by: z.string(), at: IsoDateTime, comment: z.string().max(1000).optional(), terms: RequestTerms });
export type RequestApproval = z.infer<typeof RequestApproval>;

/**
 * Written (conditionally) before PurchaseCapacityBlock is called; its id is the purchase's `cbm:intent` tag, so an
 * ambiguous outcome is settled by finding the tagged reservation, never by buying again.
 */
export const RequestIntent = z.object({
  id: z.string(),
  offering: BlockOffering,
  authorization: Authorization.omit({ terms: true }).extend({ terms: RequestTerms }),
  createdAt: IsoDateTime,
  /** Wall-clock instant before which the call may still reach EC2: the intent is never settled "not bought" before it. */
  callSettledAt: IsoDateTime,
});
export type RequestIntent = z.infer<typeof RequestIntent>;

/** What was bought for the request (at most one block, ever). */
export const RequestPurchase = z.object({
  intentId: z.string(),
  capacityReservationId: z.string(),
  region: z.string(),
  availabilityZone: z.string(),
  offeringId: z.string(),
  upfrontFee: Money,
  currency: z.string(),
  startDate: IsoDateTime,
  endDate: IsoDateTime,
  purchasedAt: IsoDateTime,
  /** EC2's reservation state as last seen. */
  state: z.string(),
  authorization: RequestIntent.shape.authorization,
});
export type RequestPurchase = z.infer<typeof RequestPurchase>;

export const CapacityRequest = z.object({
  id: z.string(),
  name: z.string().max(200).optional(),
  version: z.number().int().min(1),
  status: RequestStatus,
  statusReason: z.string().optional(),
  wanted: RequestWanted,
  limits: RequestLimits,
  /** A person approves each purchase (the quoted terms) unless no approver can be reached. */
  requireApproval: z.boolean(),
  platform: z.string().default("Linux/UNIX"),
  /** PK of the managed block once bought (default: the reservation id). */
  blockPk: PK.optional(),
  /** Extension policy of the block once bought. */
  blockPolicy: ExtensionPolicy.partial().optional(),
  /** Tags to put on the reservation besides CBM's intent tag (e.g. team, for the spend report). */
  tags: StoredTags.optional(),
  /** The offering last shown for approval. */
  quote: BlockOffering.nullable().optional(),
  quotedAt: IsoDateTime.nullable().optional(),
  approval: RequestApproval.nullable().optional(),
  intent: RequestIntent.nullable().optional(),
  purchase: RequestPurchase.nullable().optional(),
  /** PK of the managed block registered for the purchase. */
  registeredPk: z.string().nullable().optional(),
  /** The reservation this request succeeds (continuity), when its policy opened it: that budget pays for the block. */
  successorOf: z.string().optional(),
  /** The successor's fee is counted in the predecessor's `spent` (see countSuccessor): never counted twice. */
  successorCounted: z.boolean().optional(),
  createdAt: IsoDateTime,
  updatedAt: IsoDateTime,
  createdBy: z.string(),
  nextCheckAt: IsoDateTime.nullable().optional(),
  failures: z.number().int().min(0).optional(),
});
export type CapacityRequest = z.infer<typeof CapacityRequest>;
