import type { CapacityRule } from "./capacity";
import type { ClockState } from "./clock";
import type { RuleConfig } from "./config";
import type { World } from "./context";
import type { ErrorSituation } from "./error-codes";
import { StateFileError } from "./errors";
import { endMs } from "./lifecycle";
import type { StoreState } from "./store";

export const SNAPSHOT_VERSION = 1;

/**
 * The emulator's world as JSON: blocks, extensions, offerings, ledger, clock and every rule a control call changed.
 * Left out on purpose: injected faults (a fault that simulated a crash must not fire again after the restart) and
 * the call log (diagnostics, unbounded).
 */
export interface WorldSnapshot {
  version: typeof SNAPSHOT_VERSION;
  clock: ClockState;
  store: StoreState;
  /** RuleConfig with Infinity written as null (JSON has no Infinity). */
  config: Record<keyof RuleConfig, number | null>;
  issuedIds: number;
  capacity: CapacityRule[];
  prices: { instanceType: string; hourlyRate: string }[];
  errorCodes: { situation: ErrorSituation; code: string; status: number }[];
  accessKeys: [string, string][];
}

export function takeSnapshot(world: World, accessKeys: ReadonlyMap<string, string>): WorldSnapshot {
  const nowMs = world.clock.nowMs();
  const store = world.store.state();
  return {
    version: SNAPSHOT_VERSION,
    clock: world.clock.state(),
    store: { ...store, ...buyableOrBought(store, nowMs) },
    config: Object.fromEntries(Object.entries(world.config).map(([k, v]) => [k, Number.isFinite(v) ? v : null])) as WorldSnapshot["config"],
    issuedIds: world.ids.count(),
    capacity: world.capacity.list(),
    prices: world.pricing.overridden(),
    errorCodes: world.codes.overridden(),
    accessKeys: [...accessKeys],
  };
}

/** Unbought offerings saved per kind; a buyer uses the offering it just searched for, not one from hours ago. */
const SAVED_UNBOUGHT_OFFERINGS = 100;

/**
 * Offerings are remembered so purchases can validate them, and a buyer searches again at every look at an open
 * window. Saved are those that were bought (so buying one again is refused as stale) and the newest ones that can
 * still be bought; the others could only be refused, and would make the file grow with every search.
 */
function buyableOrBought(store: StoreState, nowMs: number): Pick<StoreState, "extensionOfferings" | "blockOfferings"> {
  const currentEnd = new Map(store.reservations.map((r) => [r.id, endMs({ ...r, sharedWith: new Set(r.sharedWith) }, nowMs)]));
  return {
    extensionOfferings: newestUnbought(store.extensionOfferings, (o) => o.extensionStartMs === currentEnd.get(o.reservationId)),
    blockOfferings: newestUnbought(store.blockOfferings, (o) => o.startMs > nowMs),
  };
}

/** Every bought offering, plus the newest buyable unbought ones, in their original (creation) order. */
function newestUnbought<T extends { purchased: boolean }>(offerings: T[], buyable: (o: T) => boolean): T[] {
  let unbought = offerings.filter((o) => !o.purchased && buyable(o)).length;
  return offerings.filter((o) => o.purchased || (buyable(o) && unbought-- <= SAVED_UNBOUGHT_OFFERINGS));
}

export function restoreSnapshot(world: World, accessKeys: Map<string, string>, snapshot: unknown): void {
  const s = checkShape(snapshot);
  world.store.restore(s.store);
  world.clock.restore(s.clock);
  for (const [k, v] of Object.entries(s.config)) (world.config as unknown as Record<string, number>)[k] = v ?? Infinity;
  world.ids.skip(s.issuedIds);
  world.capacity.reset();
  for (const rule of s.capacity) world.capacity.set(rule);
  world.pricing.reset();
  for (const p of s.prices) world.pricing.setPrice(p.instanceType, p.hourlyRate);
  world.codes.reset();
  for (const c of s.errorCodes) world.codes.set(c.situation, c.code, c.status);
  world.faults.clear();
  accessKeys.clear();
  for (const [key, account] of s.accessKeys) accessKeys.set(key, account);
}

/** Our own file, so a light check suffices: the right version and every part present. */
function checkShape(value: unknown): WorldSnapshot {
  const s = value as Partial<WorldSnapshot> | null;
  if (!s || typeof s !== "object" || s.version !== SNAPSHOT_VERSION) {
    throw new StateFileError(`not an emulator state of version ${SNAPSHOT_VERSION} (version: ${JSON.stringify(s?.version)})`);
  }
  const parts = ["clock", "store", "config", "capacity", "prices", "errorCodes", "accessKeys"] as const;
  const missing: string[] = parts.filter((p) => typeof s[p] !== "object" || s[p] === null);
  if (typeof s.issuedIds !== "number") missing.push("issuedIds");
  if (missing.length) throw new StateFileError(`the emulator state lacks ${missing.join(", ")}`);
  return s as WorldSnapshot;
}
