import { checkDryRun, type Operation } from "../context";
import { compileFilters, type FilterFields } from "../filters";
import { extensionStatus } from "../lifecycle";
import type { Extension, Reservation } from "../model";
import { page, pageRequest } from "../paging";
import { availabilityZoneId } from "../regions";
import { extensionView, extensionXml } from "../views";
import { findReservation } from "./common";

type Row = { ext: Extension; r: Reservation; nowMs: number };

const FIELDS: FilterFields<Row> = {
  "availability-zone": { kind: "text", read: ({ r }) => r.availabilityZone },
  "availability-zone-id": { kind: "text", read: ({ r }) => availabilityZoneId(r.availabilityZone) },
  "capacity-block-extension-offering-id": { kind: "text", read: ({ ext }) => ext.offeringId },
  "capacity-block-extension-status": { kind: "text", read: ({ ext, nowMs }) => extensionStatus(ext, nowMs) },
  "capacity-reservation-id": { kind: "text", read: ({ ext }) => ext.reservationId },
  "instance-type": { kind: "text", read: ({ r }) => r.instanceType },
};

/** The caller's extension purchases in this region, oldest first: the source of truth for reconciling purchases. */
export const describeExtensionHistory: Operation = (ctx, world) => {
  const { params } = ctx;
  const ids = new Set(params.list("CapacityReservationId").map((id) => findReservation(ctx, world, id).id));
  const matches = compileFilters(params.filters(), FIELDS);
  const request = pageRequest(params, ctx);
  checkDryRun(ctx);
  const { nowMs } = ctx;
  const result = page(world.store.extensionsOf(ctx.region, ctx.accountId), request, (ext) => {
    if (ids.size > 0 && !ids.has(ext.reservationId)) return false;
    const r = world.store.reservations.get(ext.reservationId);
    return r !== undefined && matches({ ext, r, nowMs });
  });
  return {
    capacityBlockExtensionSet: result.items.map((ext) =>
      extensionXml(extensionView(ext, world.store.reservations.get(ext.reservationId)!, nowMs)),
    ),
    nextToken: result.nextToken,
  };
};
