import { checkDryRun, type Operation } from "../context";
import { compileFilters, type FilterFields } from "../filters";
import { endMs, isRetained, reservationState } from "../lifecycle";
import type { Reservation } from "../model";
import { page, pageRequest } from "../paging";
import { availabilityZoneId } from "../regions";
import { reservationView, reservationXml } from "../views";
import { findReservation } from "./common";

const FIELDS: FilterFields<{ r: Reservation; nowMs: number }> = {
  "reservation-type": { kind: "text", read: () => "capacity-block" },
  state: { kind: "text", read: ({ r, nowMs }) => reservationState(r, nowMs) },
  "instance-type": { kind: "text", read: ({ r }) => r.instanceType },
  "owner-id": { kind: "text", read: ({ r }) => r.ownerId },
  "availability-zone": { kind: "text", read: ({ r }) => r.availabilityZone },
  "availability-zone-id": { kind: "text", read: ({ r }) => availabilityZoneId(r.availabilityZone) },
  "instance-platform": { kind: "text", read: ({ r }) => r.instancePlatform },
  tenancy: { kind: "text", read: () => "default" },
  "end-date-type": { kind: "text", read: () => "limited" },
  "instance-match-criteria": { kind: "text", read: () => "targeted" },
  "capacity-block-id": { kind: "text", read: ({ r }) => r.capacityBlockId },
  "outpost-arn": { kind: "text", read: () => undefined },
  "placement-group-arn": { kind: "text", read: () => undefined },
  "start-date": { kind: "date", read: ({ r }) => r.startMs },
  "end-date": { kind: "date", read: ({ r, nowMs }) => endMs(r, nowMs) },
};

/** Lists the blocks the caller owns or has been shared, in its region; paged over the per-account index. */
export const describeCapacityReservations: Operation = (ctx, world) => {
  const { params } = ctx;
  const ids = params.list("CapacityReservationId");
  const matches = compileFilters(params.filters(), FIELDS, { tags: ({ r }) => r.tags });
  const request = pageRequest(params, ctx);
  // Named ids must all exist (EC2 fails the whole call on one unknown id) and are returned in the order asked.
  const candidates =
    ids.length > 0 ? [...new Set(ids)].map((id) => findReservation(ctx, world, id).id) : world.store.visibleIds(ctx.region, ctx.accountId);
  checkDryRun(ctx);
  const { nowMs } = ctx;
  const result = page(candidates, request, (id) => {
    const r = world.store.reservations.get(id);
    return r !== undefined && isRetained(r, nowMs, world.config) && matches({ r, nowMs });
  });
  return {
    capacityReservationSet: result.items.map((id) => reservationXml(reservationView(world.store.reservations.get(id)!, nowMs))),
    nextToken: result.nextToken,
  };
};
