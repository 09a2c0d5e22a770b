import type { RequestContext, World } from "../context";
import { checkDryRun, type Operation } from "../context";
import { compileFilters, type FilterFields } from "../filters";
import { endMs, isRetained, reservationState } from "../lifecycle";
import type { Reservation } from "../model";
import { page, pageRequest } from "../paging";
import { RESOURCE_ID } from "../random";
import { capacityBlockXml } from "../views";

type Row = { r: Reservation; nowMs: number };

const FIELDS: FilterFields<Row> = {
  "capacity-block-id": { kind: "text", read: ({ r }) => r.capacityBlockId },
  "ultraserver-type": { kind: "text", read: () => undefined },
  "availability-zone": { kind: "text", read: ({ r }) => r.availabilityZone },
  state: { kind: "text", read: ({ r, nowMs }) => reservationState(r, nowMs) },
  "start-date": { kind: "date", read: ({ r }) => r.startMs },
  "end-date": { kind: "date", read: ({ r, nowMs }) => endMs(r, nowMs) },
  "create-date": { kind: "date", read: ({ r }) => r.createMs },
};

/**
 * Pages the caller's blocks at the `cb-` level. Candidates are the caller's reservations; a block is represented
 * by its first reservation so each `cb-` appears once.
 */
export function pageCapacityBlocks(
  ctx: RequestContext,
  world: World,
  extraFields: FilterFields<Row> = {},
): { blocks: { id: string; members: Reservation[] }[]; nextToken?: string } {
  const { params } = ctx;
  const wanted = params.list("CapacityBlockId");
  for (const id of wanted) {
    if (!RESOURCE_ID.cb.test(id)) {
      throw world.codes.error("capacity-block-malformed", `Invalid id: '${id}' (expecting 'cb-' followed by 17 hexadecimal characters)`);
    }
  }
  const matches = compileFilters(params.filters(), { ...FIELDS, ...extraFields }, { tags: ({ r }) => r.tags });
  const request = pageRequest(params, ctx);
  const { nowMs } = ctx;
  const visible = (r: Reservation | undefined): r is Reservation =>
    r !== undefined && world.store.canSee(r, ctx.region, ctx.accountId) && isRetained(r, nowMs, world.config);
  for (const id of wanted) {
    if (!visible(world.store.byCapacityBlock.get(id)?.[0])) {
      throw world.codes.error("capacity-block-not-found", `The capacity block ID '${id}' was not found`);
    }
  }
  checkDryRun(ctx);
  const wantedSet = new Set(wanted);
  const result = page(world.store.visibleIds(ctx.region, ctx.accountId), request, (rid) => {
    const r = world.store.reservations.get(rid);
    if (!visible(r) || world.store.byCapacityBlock.get(r.capacityBlockId)?.[0] !== r) return false;
    if (wantedSet.size > 0 && !wantedSet.has(r.capacityBlockId)) return false;
    return matches({ r, nowMs });
  });
  return {
    blocks: result.items.map((rid) => {
      const r = world.store.reservations.get(rid)!;
      return { id: r.capacityBlockId, members: world.store.byCapacityBlock.get(r.capacityBlockId) ?? [r] };
    }),
    nextToken: result.nextToken,
  };
}

export const describeCapacityBlocks: Operation = (ctx, world) => {
  const { blocks, nextToken } = pageCapacityBlocks(ctx, world);
  return {
    capacityBlockSet: blocks.map((b) => capacityBlockXml(b.id, b.members, ctx.nowMs)),
    nextToken,
  };
};
