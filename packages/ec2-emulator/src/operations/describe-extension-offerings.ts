import { checkDryRun, type Operation } from "../context";
import type { ExtensionOffering } from "../model";
import { pageRequest } from "../paging";
import { availabilityZoneId } from "../regions";
import { HOUR, iso } from "../time";
import { checkExtendable, checkLadder, findReservation } from "./common";

/**
 * Offers one extension of the asked duration, starting at the block's current end, unless capacity for it is
 * switched off (empty list, a normal outcome). Each offering is remembered so the purchase can check it.
 */
export const describeExtensionOfferings: Operation = (ctx, world) => {
  const { params } = ctx;
  const hours = params.int("CapacityBlockExtensionDurationHours", { required: true });
  const id = params.string("CapacityReservationId", { required: true });
  pageRequest(params, ctx);
  checkLadder(world, hours, "CapacityBlockExtensionDurationHours");
  const r = findReservation(ctx, world, id);
  const currentEnd = checkExtendable(ctx, world, r);
  checkDryRun(ctx);

  const available = world.capacity.isAvailable({ capacityReservationId: r.id, instanceType: r.instanceType, region: r.region, hours });
  if (!available || ctx.takeFault("empty-offerings")) return { capacityBlockExtensionOfferingSet: [] };

  const offering: ExtensionOffering = {
    id: world.ids.next("cbe"),
    region: ctx.region,
    accountId: ctx.accountId,
    reservationId: r.id,
    durationHours: hours,
    extensionStartMs: currentEnd,
    extensionEndMs: currentEnd + hours * HOUR,
    upfrontFee: world.pricing.upfrontFee(r.instanceType, r.instanceCount, hours),
    createdMs: ctx.nowMs,
    purchased: false,
  };
  world.store.rememberExtensionOffering(offering);
  return {
    capacityBlockExtensionOfferingSet: [
      {
        capacityBlockExtensionOfferingId: offering.id,
        instanceType: r.instanceType,
        instanceCount: r.instanceCount,
        availabilityZone: r.availabilityZone,
        availabilityZoneId: availabilityZoneId(r.availabilityZone),
        startDate: iso(r.startMs),
        capacityBlockExtensionStartDate: iso(offering.extensionStartMs),
        capacityBlockExtensionEndDate: iso(offering.extensionEndMs),
        capacityBlockExtensionDurationHours: hours,
        upfrontFee: offering.upfrontFee,
        currencyCode: "USD",
        tenancy: "default",
        zoneType: "availability-zone",
      },
    ],
  };
};
