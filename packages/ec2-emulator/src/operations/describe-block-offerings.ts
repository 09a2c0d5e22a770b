import { checkDryRun, type Operation } from "../context";
import { invalidValue } from "../errors";
import type { BlockOffering } from "../model";
import { page, pageRequest } from "../paging";
import { HOUR, MINUTE, iso, nextBoundary, DAY } from "../time";
import { checkLadder } from "./common";

/** EC2 returns a few offerings per search (reference §1.2); ours start at 11:30 UTC on consecutive days. */
const OFFERINGS_PER_SEARCH = 3;
/** A block can start about 30 minutes after the search at the earliest (reference §2.1). */
const EARLIEST_START_MS = 30 * MINUTE;

export const describeBlockOfferings: Operation = (ctx, world) => {
  const { params } = ctx;
  const hours = params.int("CapacityDurationHours", { required: true });
  const ultraserverType = params.string("UltraserverType");
  const instanceType = ultraserverType ? params.string("InstanceType") : params.string("InstanceType", { required: true });
  const instanceCount = params.int("InstanceCount", { min: 1, max: 64 }) ?? 1;
  const startRange = params.timestamp("StartDateRange");
  const endRange = params.timestamp("EndDateRange");
  const allZones = params.bool("AllAvailabilityZones") === true;
  const request = pageRequest(params, ctx);
  checkLadder(world, hours, "CapacityDurationHours");
  if (startRange !== undefined && endRange !== undefined && endRange <= startRange) {
    throw invalidValue("The end date range must be after the start date range.");
  }
  checkDryRun(ctx);

  // UltraServer capacity is not emulated: such searches find nothing, as in a region without it.
  if (instanceType === undefined || ultraserverType !== undefined) return { capacityBlockOfferingSet: [] };
  const available = world.capacity.isAvailable({ instanceType, region: ctx.region, hours, nowMs: ctx.nowMs });
  if (!available || ctx.takeFault("empty-offerings")) return { capacityBlockOfferingSet: [] };

  const earliest = Math.max(startRange ?? ctx.nowMs, ctx.nowMs + EARLIEST_START_MS);
  const horizon = ctx.nowMs + world.config.blockStartHorizonMs;
  const offerings: BlockOffering[] = [];
  // AllAvailabilityZones also shows a zone the account has not opted into (reference §1.2), a day later than zone a.
  const zones = allZones ? [`${ctx.region}a`, `${ctx.region}b`] : [`${ctx.region}a`];
  for (const [z, availabilityZone] of zones.entries())
    for (let i = 0; i < OFFERINGS_PER_SEARCH; i++) {
      const startMs = nextBoundary(earliest) + (i + z) * DAY;
      const endMs = startMs + hours * HOUR;
      if (startMs > horizon || (endRange !== undefined && endMs > endRange)) break;
      offerings.push({
        id: world.ids.next("cb"),
        region: ctx.region,
        accountId: ctx.accountId,
        instanceType,
        instanceCount,
        availabilityZone,
        startMs,
        endMs,
        durationHours: hours,
        durationMinutes: 0,
        upfrontFee: world.pricing.upfrontFee(instanceType, instanceCount, hours),
        createdMs: ctx.nowMs,
        purchased: false,
      });
    }
  for (const o of offerings) world.store.rememberBlockOffering(o);
  const result = page(offerings, request, () => true);
  return {
    capacityBlockOfferingSet: result.items.map((o) => ({
      capacityBlockOfferingId: o.id,
      instanceType: o.instanceType,
      availabilityZone: o.availabilityZone,
      instanceCount: o.instanceCount,
      startDate: iso(o.startMs),
      endDate: iso(o.endMs),
      capacityBlockDurationHours: o.durationHours,
      capacityBlockDurationMinutes: o.durationMinutes,
      upfrontFee: o.upfrontFee,
      currencyCode: "USD",
      tenancy: "default",
      zoneType: "availability-zone",
    })),
    nextToken: result.nextToken,
  };
};
