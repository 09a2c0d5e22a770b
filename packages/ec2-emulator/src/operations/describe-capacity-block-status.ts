import { type Operation } from "../context";
import { reservationState } from "../lifecycle";
import type { Reservation } from "../model";
import { pageCapacityBlocks } from "./describe-capacity-blocks";

/** Health of each block: interconnect as set by the control API ("ok" by default); capacity only while active. */
export const describeCapacityBlockStatus: Operation = (ctx, world) => {
  const interconnect = (r: Reservation) => r.interconnectStatus ?? "ok";
  const { blocks, nextToken } = pageCapacityBlocks(ctx, world, {
    "interconnect-status": { kind: "text", read: ({ r }) => interconnect(r) },
  });
  const totals = (r: Reservation) => {
    const available = reservationState(r, ctx.nowMs) === "active" ? r.instanceCount - Math.min(r.running ?? 0, r.instanceCount) : 0;
    return { totalCapacity: r.instanceCount, totalAvailableCapacity: available, totalUnavailableCapacity: 0 };
  };
  return {
    capacityBlockStatusSet: blocks.map((b) => {
      const parts = b.members.map(totals);
      return {
        capacityBlockId: b.id,
        interconnectStatus: interconnect(b.members[0]!),
        totalCapacity: parts.reduce((s, p) => s + p.totalCapacity, 0),
        totalAvailableCapacity: parts.reduce((s, p) => s + p.totalAvailableCapacity, 0),
        totalUnavailableCapacity: 0,
        capacityReservationStatusSet: b.members.map((r, i) => ({ capacityReservationId: r.id, ...parts[i]! })),
      };
    }),
    nextToken,
  };
};
