import { checkDryRun, type Operation } from "../context";
import { invalidValue } from "../errors";
import { blockPayment } from "../lifecycle";
import type { Reservation } from "../model";
import { RESOURCE_ID } from "../random";
import { capacityBlockXml, reservationView, reservationXml } from "../views";

const PLATFORMS = new Set([
  "Linux/UNIX",
  "Red Hat Enterprise Linux",
  "SUSE Linux",
  "Windows",
  "Windows with SQL Server",
  "Windows with SQL Server Enterprise",
  "Windows with SQL Server Standard",
  "Windows with SQL Server Web",
  "Linux with SQL Server Standard",
  "Linux with SQL Server Web",
  "Linux with SQL Server Enterprise",
  "RHEL with SQL Server Standard",
  "RHEL with SQL Server Enterprise",
  "RHEL with SQL Server Web",
  "RHEL with HA",
  "RHEL with HA and SQL Server Standard",
  "RHEL with HA and SQL Server Enterprise",
  "Ubuntu Pro",
]);

/** Buys a new block: it appears payment-pending, then scheduled once paid, active at its start, expired at its end. */
export const purchaseBlock: Operation = (ctx, world) => {
  const { params } = ctx;
  const offeringId = params.string("CapacityBlockOfferingId", { required: true });
  const platform = params.string("InstancePlatform", { required: true });
  const tagSpecs = params.tagSpecifications();
  if (!PLATFORMS.has(platform)) throw invalidValue(`Value (${platform}) for parameter InstancePlatform is invalid.`);
  if (!RESOURCE_ID.cb.test(offeringId)) {
    throw world.codes.error("offering-malformed", `Invalid id: '${offeringId}' (expecting 'cb-' followed by 17 hexadecimal characters)`);
  }
  const offering = world.store.blockOfferings.get(offeringId);
  if (!offering || offering.accountId !== ctx.accountId || offering.region !== ctx.region) {
    throw world.codes.error("offering-not-found", `The Capacity Block offering '${offeringId}' cannot be found for this account.`);
  }
  if (offering.purchased || offering.startMs <= ctx.nowMs) {
    throw world.codes.error("offering-stale", `The Capacity Block offering '${offeringId}' is no longer available.`);
  }
  checkDryRun(ctx);

  const r: Reservation = {
    id: world.ids.next("cr"),
    capacityBlockId: world.ids.next("cb"),
    region: ctx.region,
    ownerId: ctx.accountId,
    sharedWith: new Set(),
    availabilityZone: offering.availabilityZone,
    instanceType: offering.instanceType,
    instanceCount: offering.instanceCount,
    instancePlatform: platform,
    startMs: offering.startMs,
    baseEndMs: offering.endMs,
    createMs: ctx.nowMs,
    tags: tagSpecs.flatMap((spec) => spec.tags),
    payment: blockPayment(ctx.nowMs, offering.startMs, ctx.takeFault("payment-failure"), world.config),
    extensions: [],
  };
  offering.purchased = true;
  world.store.addReservation(r);
  world.store.recordPurchase(ctx, {
    action: "PurchaseCapacityBlock",
    capacityReservationId: r.id,
    offeringId,
    durationHours: offering.durationHours,
    upfrontFee: offering.upfrontFee,
    currencyCode: "USD",
  });
  return {
    capacityReservation: reservationXml(reservationView(r, ctx.nowMs)),
    capacityBlockSet: [capacityBlockXml(r.capacityBlockId, [r], ctx.nowMs)],
  };
};
