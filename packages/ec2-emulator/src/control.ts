import type { CapacityRule } from "./capacity";
import type { Duration } from "./clock";
import { defaultRuleConfig } from "./config";
import type { World } from "./context";
import type { ErrorCodeChoice, ErrorSituation } from "./error-codes";
import { ControlError } from "./errors";
import type { Fault, FaultSpec } from "./faults";
import { isRetained } from "./lifecycle";
import { INTERCONNECT_STATUSES, type CallRecord, type InterconnectStatus, type LedgerEntry } from "./model";
import { RESOURCE_ID } from "./random";
import { seedBlock, seedDemo, type SeedBlockSpec } from "./seed";
import { HOUR, SECOND } from "./time";
import { extensionView, reservationView, type ExtensionView, type ReservationView } from "./views";

/** Rule timings a test may change at run time. */
export interface RuleOptions {
  paymentDelaySeconds?: number;
  /** How long expired / payment-failed blocks stay visible; null or Infinity = forever (the default). */
  expiredRetentionHours?: number | null;
}

/**
 * Everything a test or the local mode can do to the emulator besides speaking EC2. The same functions are served
 * as JSON under /_emulator/ (see control-http.ts). Dates come back as ISO strings.
 */
export interface EmulatorControl {
  now(): Date;
  clock(): { now: string; mode: "real" | "virtual"; rate: number };
  /** Jump to `iso`; the clock becomes virtual, frozen unless `rate` > 0 (N× wall speed). */
  setClock(iso: string, options?: { rate?: number }): Date;
  setRate(rate: number): void;
  /** Moves virtual time forward; every payment, start and end due in between takes effect, in time order. */
  advance(by: Duration): Date;
  useRealTime(): void;

  seedBlock(spec: SeedBlockSpec): ReservationView;
  seedDemo(): ReservationView[];
  shareBlock(capacityReservationId: string, accountId: string): ReservationView;
  /** Instances running in a block: shown as total − running available (while active) in DescribeCapacityReservations and DescribeCapacityBlockStatus. */
  setRunning(capacityReservationId: string, running: number): ReservationView;
  /** The interconnect status DescribeCapacityBlockStatus reports for the block of this reservation ("ok" by default). */
  setInterconnectStatus(capacityReservationId: string, status: string): ReservationView;
  mapAccessKey(accessKeyId: string, accountId: string): void;

  setCapacity(rule: CapacityRule): void;
  setPrice(price: { instanceType: string; hourlyRate: string }): void;
  configure(options: RuleOptions): RuleOptions;

  injectFault(spec: FaultSpec): string;
  clearFaults(): void;
  faults(): Fault[];

  setErrorCode(situation: ErrorSituation, code: string, status?: number): void;
  errorCodes(): Record<ErrorSituation, ErrorCodeChoice>;

  ledger(): LedgerEntry[];
  calls(): CallRecord[];
  resetCalls(): void;

  reservation(capacityReservationId: string): ReservationView | undefined;
  reservations(query?: { region?: string; accountId?: string }): ReservationView[];
  extensions(capacityReservationId?: string): ExtensionView[];

  /** Empties everything and puts the clock back to real time. */
  reset(): void;
}

export interface ControlDeps {
  world: World;
  accessKeys: Map<string, string>;
  defaultAccountId: string;
  initialPaymentDelaySeconds: number;
}

export function createControl({ world, accessKeys, defaultAccountId, initialPaymentDelaySeconds }: ControlDeps): EmulatorControl {
  const { store, clock } = world;
  const view = (id: string) => {
    const r = store.reservations.get(id);
    return r && isRetained(r, clock.nowMs(), world.config) ? reservationView(r, clock.nowMs()) : undefined;
  };

  return {
    now: () => clock.now(),
    clock: () => clock.describe(),
    setClock(iso, options = {}) {
      clock.set(iso, options.rate ?? 0);
      return clock.now();
    },
    setRate: (rate) => clock.setRate(rate),
    advance: (by) => clock.advance(by),
    useRealTime: () => clock.useRealTime(),

    seedBlock: (spec) => reservationView(seedBlock(world, defaultAccountId, spec), clock.nowMs()),
    seedDemo: () => seedDemo(world, defaultAccountId).map((r) => reservationView(r, clock.nowMs())),
    shareBlock(capacityReservationId, accountId) {
      const r = store.reservations.get(capacityReservationId);
      if (!r) throw new ControlError("NotFound", `No reservation '${capacityReservationId}'`);
      if (!/^\d{12}$/.test(accountId)) throw new ControlError("InvalidAccount", `Account ids are 12 digits, got '${accountId}'`);
      store.share(r, accountId);
      return reservationView(r, clock.nowMs());
    },
    setRunning(capacityReservationId, running) {
      const r = store.reservations.get(capacityReservationId);
      if (!r) throw new ControlError("NotFound", `No reservation '${capacityReservationId}'`);
      if (!Number.isInteger(running) || running < 0 || running > r.instanceCount) {
        throw new ControlError("InvalidRunning", `running must be a whole number from 0 to ${r.instanceCount}, got ${String(running)}`);
      }
      r.running = running;
      return reservationView(r, clock.nowMs());
    },
    setInterconnectStatus(capacityReservationId, status) {
      const r = store.reservations.get(capacityReservationId);
      if (!r) throw new ControlError("NotFound", `No reservation '${capacityReservationId}'`);
      if (!(INTERCONNECT_STATUSES as readonly string[]).includes(status)) {
        throw new ControlError(
          "InvalidInterconnectStatus",
          `status must be one of ${INTERCONNECT_STATUSES.join(", ")}, got ${String(status)}`,
        );
      }
      // One status per `cb-`: every reservation of the block shares its interconnect.
      for (const member of store.byCapacityBlock.get(r.capacityBlockId) ?? [r]) member.interconnectStatus = status as InterconnectStatus;
      return reservationView(r, clock.nowMs());
    },
    mapAccessKey(accessKeyId, accountId) {
      if (!accessKeyId || !/^\d{12}$/.test(accountId))
        throw new ControlError("InvalidAccount", "mapAccessKey needs an access key id and a 12-digit account id");
      accessKeys.set(accessKeyId, accountId);
    },

    setCapacity: (rule) => world.capacity.set(rule),
    setPrice: (price) => world.pricing.setPrice(price?.instanceType, price?.hourlyRate),
    configure(options) {
      if (options.paymentDelaySeconds !== undefined) {
        if (!(options.paymentDelaySeconds >= 0)) throw new ControlError("InvalidConfig", "paymentDelaySeconds must be ≥ 0");
        world.config.paymentDelayMs = options.paymentDelaySeconds * SECOND;
      }
      if (options.expiredRetentionHours !== undefined) {
        const hours = options.expiredRetentionHours ?? Infinity;
        if (!(hours >= 0)) throw new ControlError("InvalidConfig", "expiredRetentionHours must be ≥ 0");
        world.config.expiredRetentionMs = hours * HOUR;
      }
      const retention = world.config.expiredRetentionMs;
      return {
        paymentDelaySeconds: world.config.paymentDelayMs / SECOND,
        expiredRetentionHours: retention === Infinity ? null : retention / HOUR,
      };
    },

    injectFault: (spec) => world.faults.inject(spec),
    clearFaults: () => world.faults.clear(),
    faults: () => world.faults.list(),

    setErrorCode: (situation, code, status) => world.codes.set(situation, code, status),
    errorCodes: () => world.codes.all(),

    ledger: () => store.ledger.map((e) => ({ ...e })),
    calls: () => store.calls.map((c) => ({ ...c })),
    resetCalls() {
      store.calls = [];
    },

    reservation(capacityReservationId) {
      return RESOURCE_ID.cr.test(capacityReservationId) ? view(capacityReservationId) : undefined;
    },
    reservations(query = {}) {
      return [...store.reservations.values()]
        .filter((r) => query.region === undefined || r.region === query.region)
        .filter((r) => query.accountId === undefined || r.ownerId === query.accountId || r.sharedWith.has(query.accountId))
        .map((r) => view(r.id))
        .filter((v): v is ReservationView => v !== undefined);
    },
    extensions(capacityReservationId) {
      const nowMs = clock.nowMs();
      const list =
        capacityReservationId === undefined ? store.allExtensions() : (store.reservations.get(capacityReservationId)?.extensions ?? []);
      return list.map((ext) => extensionView(ext, store.reservations.get(ext.reservationId)!, nowMs));
    },

    reset() {
      store.clear();
      clock.useRealTime();
      world.faults.clear();
      world.capacity.reset();
      world.pricing.reset();
      world.codes.reset();
      world.ids.reset();
      accessKeys.clear();
      Object.assign(world.config, defaultRuleConfig(initialPaymentDelaySeconds));
    },
  };
}
