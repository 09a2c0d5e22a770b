import { endMs, extensionStatus, reservationState } from "./lifecycle";
import type { Extension, Reservation, ReservationState, Tag } from "./model";
import { availabilityZoneId } from "./regions";
import { iso } from "./time";
import type { XmlObject } from "./xml";

/** A reservation as `DescribeCapacityReservations` shows it, with camelCase keys and ISO strings. */
export interface ReservationView {
  capacityReservationId: string;
  ownerId: string;
  region: string;
  capacityReservationArn: string;
  availabilityZone: string;
  availabilityZoneId: string;
  instanceType: string;
  instancePlatform: string;
  tenancy: "default";
  totalInstanceCount: number;
  availableInstanceCount: number;
  ebsOptimized: boolean;
  ephemeralStorage: boolean;
  state: ReservationState;
  startDate: string;
  endDate: string;
  endDateType: "limited";
  instanceMatchCriteria: "targeted";
  createDate: string;
  tags: Tag[];
  reservationType: "capacity-block";
  capacityBlockId: string;
  sharedWith: string[];
}

/** An extension as `DescribeCapacityBlockExtensionHistory` shows it. */
export interface ExtensionView {
  capacityReservationId: string;
  region: string;
  accountId: string;
  instanceType: string;
  instanceCount: number;
  availabilityZone: string;
  availabilityZoneId: string;
  capacityBlockExtensionOfferingId: string;
  capacityBlockExtensionDurationHours: number;
  capacityBlockExtensionStatus: string;
  capacityBlockExtensionPurchaseDate: string;
  capacityBlockExtensionStartDate: string;
  capacityBlockExtensionEndDate: string;
  upfrontFee: string;
  currencyCode: string;
  zoneType: "availability-zone";
  /** When the payment clears or fails (virtual time); not part of the EC2 shape. */
  paymentResolvesAt: string;
}

export function reservationView(r: Reservation, nowMs: number): ReservationView {
  const state = reservationState(r, nowMs);
  return {
    capacityReservationId: r.id,
    ownerId: r.ownerId,
    region: r.region,
    capacityReservationArn: `arn:aws:ec2:${r.region}:${r.ownerId}:capacity-reservation/${r.id}`,
    availabilityZone: r.availabilityZone,
    availabilityZoneId: availabilityZoneId(r.availabilityZone),
    instanceType: r.instanceType,
    instancePlatform: r.instancePlatform,
    tenancy: "default",
    totalInstanceCount: r.instanceCount,
    // Before the start (and after the end) nothing can launch, so available capacity shows as 0 (reference §1.4).
    availableInstanceCount: state === "active" ? r.instanceCount - Math.min(r.running ?? 0, r.instanceCount) : 0,
    ebsOptimized: true,
    ephemeralStorage: false,
    state,
    startDate: iso(r.startMs),
    endDate: iso(endMs(r, nowMs)),
    endDateType: "limited",
    instanceMatchCriteria: "targeted",
    createDate: iso(r.createMs),
    tags: r.tags.map((t) => ({ ...t })),
    reservationType: "capacity-block",
    capacityBlockId: r.capacityBlockId,
    sharedWith: [...r.sharedWith],
  };
}

export function reservationXml(v: ReservationView): XmlObject {
  const { tags, sharedWith: _sharedWith, region: _region, ...fields } = v;
  return {
    capacityReservationId: fields.capacityReservationId,
    ownerId: fields.ownerId,
    capacityReservationArn: fields.capacityReservationArn,
    availabilityZoneId: fields.availabilityZoneId,
    instanceType: fields.instanceType,
    instancePlatform: fields.instancePlatform,
    availabilityZone: fields.availabilityZone,
    tenancy: fields.tenancy,
    totalInstanceCount: fields.totalInstanceCount,
    availableInstanceCount: fields.availableInstanceCount,
    ebsOptimized: fields.ebsOptimized,
    ephemeralStorage: fields.ephemeralStorage,
    state: fields.state,
    startDate: fields.startDate,
    endDate: fields.endDate,
    endDateType: fields.endDateType,
    instanceMatchCriteria: fields.instanceMatchCriteria,
    createDate: fields.createDate,
    tagSet: tags.map(tagXml),
    capacityAllocationSet: [{ allocationType: "used", count: fields.totalInstanceCount - fields.availableInstanceCount }],
    reservationType: fields.reservationType,
    capacityBlockId: fields.capacityBlockId,
  };
}

export function extensionView(ext: Extension, r: Reservation, nowMs: number): ExtensionView {
  return {
    capacityReservationId: ext.reservationId,
    region: ext.region,
    accountId: ext.accountId,
    instanceType: r.instanceType,
    instanceCount: r.instanceCount,
    availabilityZone: r.availabilityZone,
    availabilityZoneId: availabilityZoneId(r.availabilityZone),
    capacityBlockExtensionOfferingId: ext.offeringId,
    capacityBlockExtensionDurationHours: ext.durationHours,
    capacityBlockExtensionStatus: extensionStatus(ext, nowMs),
    capacityBlockExtensionPurchaseDate: iso(ext.purchaseMs),
    capacityBlockExtensionStartDate: iso(ext.startMs),
    capacityBlockExtensionEndDate: iso(ext.endMs),
    upfrontFee: ext.upfrontFee,
    currencyCode: ext.currencyCode,
    zoneType: "availability-zone",
    paymentResolvesAt: iso(ext.payment.resolvesAtMs),
  };
}

export function extensionXml(v: ExtensionView): XmlObject {
  return {
    capacityReservationId: v.capacityReservationId,
    instanceType: v.instanceType,
    instanceCount: v.instanceCount,
    availabilityZone: v.availabilityZone,
    availabilityZoneId: v.availabilityZoneId,
    capacityBlockExtensionOfferingId: v.capacityBlockExtensionOfferingId,
    capacityBlockExtensionDurationHours: v.capacityBlockExtensionDurationHours,
    capacityBlockExtensionStatus: v.capacityBlockExtensionStatus,
    capacityBlockExtensionPurchaseDate: v.capacityBlockExtensionPurchaseDate,
    capacityBlockExtensionStartDate: v.capacityBlockExtensionStartDate,
    capacityBlockExtensionEndDate: v.capacityBlockExtensionEndDate,
    upfrontFee: v.upfrontFee,
    currencyCode: v.currencyCode,
    zoneType: v.zoneType,
  };
}

/** The `cb-` level: one capacity block groups its reservations (one per block here; several for UltraServers). */
export function capacityBlockXml(blockId: string, members: readonly Reservation[], nowMs: number): XmlObject {
  const first = members[0]!;
  return {
    capacityBlockId: blockId,
    availabilityZone: first.availabilityZone,
    availabilityZoneId: availabilityZoneId(first.availabilityZone),
    capacityReservationIdSet: members.map((r) => r.id),
    startDate: iso(first.startMs),
    endDate: iso(endMs(first, nowMs)),
    createDate: iso(first.createMs),
    state: blockState(reservationState(first, nowMs)),
    tagSet: first.tags.map(tagXml),
  };
}

/** The CapacityBlock state enum lacks the ODCR-only states; map those to the closest one it has. */
function blockState(state: ReservationState): string {
  return state === "pending" ? "scheduled" : state;
}

function tagXml(t: Tag): XmlObject {
  return { key: t.key, value: t.value };
}
