import * as z from "zod";
import { IsoDateTime, Money } from "./policy";

/** `cr-` followed by 17 hex digits, as EC2 issues them. */
export const CapacityReservationId = z.string().regex(/^cr-[0-9a-f]{17}$/, { message: "must look like cr- followed by 17 hex digits" });

/** Reservation states from EC2's model; CBs use payment-pending → scheduled → active → expired, or payment-failed. */
export const ReservationState = z.enum([
  "active",
  "expired",
  "cancelled",
  "pending",
  "failed",
  "scheduled",
  "payment-pending",
  "payment-failed",
  "assessing",
  "delayed",
  "unsupported",
  "cancelling",
  "unavailable",
]);
export type ReservationState = z.infer<typeof ReservationState>;

/** What EC2 says about a reservation right now: the source of truth for end date, state and owner. */
export const ReservationView = z.object({
  capacityReservationId: z.string(),
  ownerId: z.string(),
  region: z.string(),
  state: ReservationState,
  instanceType: z.string().optional(),
  instanceCount: z.number().int().optional(),
  availabilityZone: z.string().optional(),
  platform: z.string().optional(),
  tenancy: z.string().optional(),
  startDate: IsoDateTime.optional(),
  endDate: IsoDateTime,
  reservationType: z.string().optional(),
  /** The reservation's tags at EC2 (`cbm:stage` says which CBM stage may buy for it, see stage-claim.ts). */
  tags: z.record(z.string(), z.string()).optional(),
});
export type ReservationView = z.infer<typeof ReservationView>;

export const ExtensionStatus = z.enum(["payment-pending", "payment-failed", "payment-succeeded"]);
export type ExtensionStatus = z.infer<typeof ExtensionStatus>;

/** One entry of DescribeCapacityBlockExtensionHistory. */
export const ExtensionRecord = z.object({
  capacityReservationId: z.string(),
  offeringId: z.string(),
  status: ExtensionStatus,
  durationHours: z.number().int(),
  purchaseDate: IsoDateTime,
  /** The end date the extension started from: the window it was bought in. */
  startDate: IsoDateTime,
  endDate: IsoDateTime,
  upfrontFee: Money,
  currencyCode: z.string(),
});
export type ExtensionRecord = z.infer<typeof ExtensionRecord>;

/** One DescribeCapacityBlockExtensionOfferings result. */
export const ExtensionOffering = z.object({
  offeringId: z.string(),
  capacityReservationId: z.string(),
  durationHours: z.number().int(),
  startDate: IsoDateTime,
  endDate: IsoDateTime,
  upfrontFee: Money,
  currencyCode: z.string(),
  instanceType: z.string().optional(),
  instanceCount: z.number().int().optional(),
});
export type ExtensionOffering = z.infer<typeof ExtensionOffering>;
