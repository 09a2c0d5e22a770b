import type { World } from "./context";
import { ControlError } from "./errors";
import { reservationState } from "./lifecycle";
import { RESERVATION_STATES, type Reservation, type ReservationState, type Tag } from "./model";
import { RESOURCE_ID } from "./random";
import { isRegion } from "./regions";
import { DAY, isAtBlockBoundary, nextBoundary, parseTimestamp, previousBoundary } from "./time";

/** A block to create directly, bypassing offerings and payment. */
export interface SeedBlockSpec {
  region?: string;
  /** The account that sees the block (default: the emulator's default account). */
  accountId?: string;
  /** The owner; when it differs from accountId the block is shared into accountId from ownerId. */
  ownerId?: string;
  capacityReservationId?: string;
  capacityBlockId?: string;
  instanceType?: string;
  instanceCount?: number;
  availabilityZone?: string;
  instancePlatform?: string;
  /** ISO; default: the last 11:30 UTC at or before now (so the block is active), or one day before the end. */
  startDate?: string;
  /** ISO; must be at 11:30 UTC like every real Capacity Block. */
  endDate: string;
  createDate?: string;
  /**
   * Default: derived from the clock. "payment-pending" behaves like a fresh purchase (clears after the payment
   * delay). A state that contradicts the dates (or "cancelled" …) is pinned and never changes by itself.
   */
  state?: ReservationState;
  tags?: Tag[] | Record<string, string>;
  /** More accounts the block is shared into. */
  sharedWith?: string[];
}

export function seedBlock(world: World, defaultAccountId: string, spec: SeedBlockSpec): Reservation {
  if (!spec || typeof spec !== "object") throw invalidSeed("seedBlock needs a spec with at least endDate");
  const nowMs = world.clock.nowMs();
  const region = spec.region ?? "us-east-1";
  if (!isRegion(region)) throw invalidSeed(`Not a region: '${region}'`);
  const accountId = spec.accountId ?? defaultAccountId;
  const ownerId = spec.ownerId ?? accountId;
  for (const account of [accountId, ownerId, ...(spec.sharedWith ?? [])]) {
    if (!/^\d{12}$/.test(account)) throw invalidSeed(`Account ids are 12 digits, got '${account}'`);
  }
  const id = spec.capacityReservationId ?? world.ids.next("cr");
  if (!RESOURCE_ID.cr.test(id)) throw invalidSeed(`capacityReservationId must be 'cr-' + 17 hex characters, got '${id}'`);
  if (world.store.reservations.has(id)) throw invalidSeed(`A reservation '${id}' already exists`);
  const capacityBlockId = spec.capacityBlockId ?? world.ids.next("cb");
  if (!RESOURCE_ID.cb.test(capacityBlockId))
    throw invalidSeed(`capacityBlockId must be 'cb-' + 17 hex characters, got '${capacityBlockId}'`);

  if (spec.endDate === undefined) throw invalidSeed("endDate is required");
  const endMs = timestamp(spec.endDate, "endDate");
  if (!isAtBlockBoundary(endMs))
    throw invalidSeed(`endDate must be at 11:30:00 UTC (every Capacity Block ends then), got '${spec.endDate}'`);
  const startMs = spec.startDate !== undefined ? timestamp(spec.startDate, "startDate") : defaultStart(nowMs, endMs);
  if (startMs >= endMs) throw invalidSeed("startDate must be before endDate");
  const instanceCount = spec.instanceCount ?? 1;
  if (!Number.isInteger(instanceCount) || instanceCount < 1 || instanceCount > 64) throw invalidSeed("instanceCount must be 1–64");
  if (spec.state !== undefined && !RESERVATION_STATES.includes(spec.state)) throw invalidSeed(`Unknown state '${spec.state}'`);

  const r: Reservation = {
    id,
    capacityBlockId,
    region,
    ownerId,
    sharedWith: new Set([accountId, ...(spec.sharedWith ?? [])].filter((a) => a !== ownerId)),
    availabilityZone: spec.availabilityZone ?? `${region}a`,
    instanceType: spec.instanceType ?? "p5.48xlarge",
    instanceCount,
    instancePlatform: spec.instancePlatform ?? "Linux/UNIX",
    startMs,
    baseEndMs: endMs,
    createMs: spec.createDate !== undefined ? timestamp(spec.createDate, "createDate") : Math.min(nowMs, startMs),
    tags: normaliseTags(spec.tags),
    extensions: [],
  };
  if (spec.state === "payment-pending") r.payment = { resolvesAtMs: nowMs + world.config.paymentDelayMs, outcome: "succeeded" };
  else if (spec.state === "payment-failed") r.payment = { resolvesAtMs: nowMs, outcome: "failed" };
  else if (spec.state !== undefined && spec.state !== reservationState(r, nowMs)) r.pinnedState = spec.state;
  world.store.addReservation(r);
  return r;
}

/** The account the demo's shared block comes from. */
export const DEMO_OWNER_ACCOUNT = "111122223333";

/**
 * Six blocks in two regions at different distances from "now", with fixed ids, so a demo always shows one block
 * about to end, a few comfortable ones, one not yet started, one shared in (not extendable) and one elsewhere.
 * Idempotent.
 */
export function seedDemo(world: World, accountId: string): Reservation[] {
  const nowMs = world.clock.nowMs();
  const endIn = (days: number) => nextBoundary(nowMs + days * DAY);
  const started = previousBoundary(nowMs) - 2 * DAY;
  const specs: SeedBlockSpec[] = [
    demo(1, "us-east-1", "p5.48xlarge", 2, started, endIn(1), { Name: "llm-pretrain", team: "research" }),
    demo(2, "us-east-1", "p4d.24xlarge", 1, started, endIn(3), { Name: "finetune-eval", team: "applied" }),
    demo(3, "us-east-1", "trn2.48xlarge", 4, started, endIn(10), { Name: "trn2-experiments", team: "research" }),
    demo(4, "us-east-1", "p5e.48xlarge", 1, endIn(2), endIn(2) + 4 * DAY, { Name: "next-week-run", team: "applied" }),
    { ...demo(5, "us-east-1", "p5.48xlarge", 1, started, endIn(5), { Name: "partner-shared" }), ownerId: DEMO_OWNER_ACCOUNT },
    demo(6, "us-west-2", "p5.48xlarge", 8, started, endIn(6), { Name: "west-cluster", team: "infra" }),
  ];
  // Seeding twice keeps the first demo blocks instead of failing on their fixed ids.
  return specs.map(
    (spec) => world.store.reservations.get(spec.capacityReservationId!) ?? seedBlock(world, accountId, { ...spec, accountId }),
  );
}

function demo(
  n: number,
  region: string,
  instanceType: string,
  instanceCount: number,
  startMs: number,
  endMs: number,
  tags: Record<string, string>,
): SeedBlockSpec {
  const suffix = `d00${n}`;
  return {
    region,
    capacityReservationId: `cr-0000000000000${suffix}`,
    capacityBlockId: `cb-0000000000000${suffix}`,
    instanceType,
    instanceCount,
    startDate: new Date(startMs).toISOString(),
    endDate: new Date(endMs).toISOString(),
    tags,
  };
}

function defaultStart(nowMs: number, endMs: number): number {
  const start = previousBoundary(nowMs);
  return start < endMs ? start : endMs - DAY;
}

function timestamp(value: string, field: string): number {
  const ms = typeof value === "string" ? parseTimestamp(value) : undefined;
  if (ms === undefined) throw invalidSeed(`${field} must be an ISO timestamp, got '${String(value)}'`);
  return ms;
}

function normaliseTags(tags: SeedBlockSpec["tags"]): Tag[] {
  if (!tags) return [];
  if (Array.isArray(tags)) return tags.map((t) => ({ key: String(t.key), value: String(t.value ?? "") }));
  return Object.entries(tags).map(([key, value]) => ({ key, value: String(value) }));
}

function invalidSeed(message: string): ControlError {
  return new ControlError("InvalidSeed", message);
}
