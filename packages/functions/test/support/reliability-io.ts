import { setTimeout as sleep } from "node:timers/promises";
import type { BlockStore, CapacityProvider, Notification, Notifier } from "@cbm/core";
import type { CallKind, CrashPoint } from "./reliability-commands";
import { wrapProvider, wrapStore } from "./scheduler-harness";

/*
 * The wrappers the reliability world puts around CBM's ports: a process that dies at a step of the purchase
 * protocol, EC2 calls that are slow or have a person act while they are in flight, a recorder of intent writes,
 * and a notifier that reads approval notices the way the approver would.
 */

/**
 * Logical time of one sequence: each API call, intent write and notice takes a number when it starts and when it
 * ends. Two things may have happened at the same moment exactly when their [start, end] ranges overlap.
 */
export class Seq {
  private n = 0;
  next(): number {
    return ++this.n;
  }
}

/** Closed ranges of logical time; an open end is Infinity. */
export function overlaps(a: { from: number; to?: number | undefined }, b: { from: number; to?: number | undefined }): boolean {
  return a.from <= (b.to ?? Infinity) && b.from <= (a.to ?? Infinity);
}

/** A tick's process dying at `point`: from then on every store and EC2 call of that tick fails. */
export class CrashSwitch {
  dead = false;
  fired = false;
  constructor(readonly point: CrashPoint) {}
  check() {
    if (this.dead) throw new Error(`process crashed (${this.point})`);
  }
  die() {
    this.fired = true;
    this.dead = true;
  }
}

export function crashingStore(inner: BlockStore, sw: CrashSwitch): BlockStore {
  const guard = <T>(f: () => Promise<T>) => {
    sw.check();
    return f();
  };
  return wrapStore(inner, {
    get: (pk) => guard(() => inner.get(pk)),
    findDue: (n, o) => guard(() => inner.findDue(n, o)),
    getLedger: (cr) => guard(() => inner.getLedger(cr)),
    update: async (next, expected, events = []) => {
      sw.check();
      const types = new Set(events.map((e) => e.type));
      if (!sw.fired && sw.point === "before-intent-write" && types.has("purchase-intent")) {
        sw.die();
        sw.check();
      }
      const out = await inner.update(next, expected, events);
      if (!sw.fired && sw.point === "after-intent-write" && types.has("purchase-intent")) sw.die();
      if (!sw.fired && sw.point === "after-settle-write" && types.has("purchased")) sw.die();
      return out;
    },
  });
}

export function crashingProvider(inner: CapacityProvider, sw: CrashSwitch): CapacityProvider {
  return wrapProvider(inner, {
    describeReservations: (r, i) => (sw.check(), inner.describeReservations(r, i)),
    extensionHistory: (r, i) => (sw.check(), inner.extensionHistory(r, i)),
    extensionOfferings: (r, c, d) => (sw.check(), inner.extensionOfferings(r, c, d)),
    purchaseExtension: async (r, c, o) => {
      sw.check();
      const out = await inner.purchaseExtension(r, c, o);
      if (!sw.fired && sw.point === "after-purchase") {
        sw.die();
        sw.check();
      }
      return out;
    },
  });
}

/** A committed conditional write that stored a purchase intent, with the registration it was conditional on. */
export interface IntentWrite {
  registrationId: string | undefined;
  issued: number;
  resolved: number;
}

/** Records when each intent write happened (innermost, so a write that commits is recorded even if the tick then dies). */
export function intentRecordingStore(inner: BlockStore, seq: Seq, writes: Map<string, IntentWrite>): BlockStore {
  return wrapStore(inner, {
    update: async (next, expected, events = []) => {
      const issued = seq.next();
      const out = await inner.update(next, expected, events);
      if (next.intent && events.some((e) => e.type === "purchase-intent")) {
        writes.set(next.intent.id, { registrationId: next.registrationId, issued, resolved: seq.next() });
      }
      return out;
    },
  });
}

/** Every EC2 call waits `lagMs` first: ticks with different lags interleave their steps. */
export function laggedProvider(inner: CapacityProvider, lagMs: number): CapacityProvider {
  if (lagMs <= 0) return inner;
  const lag = async <T>(f: () => Promise<T>) => {
    await sleep(lagMs);
    return f();
  };
  return wrapProvider(inner, {
    describeReservations: (r, i) => lag(() => inner.describeReservations(r, i)),
    extensionHistory: (r, i) => lag(() => inner.extensionHistory(r, i)),
    extensionOfferings: (r, c, d) => lag(() => inner.extensionOfferings(r, c, d)),
    purchaseExtension: (r, c, o) => lag(() => inner.purchaseExtension(r, c, o)),
  });
}

/**
 * Runs `act` once, while the first EC2 call of kind `during` is in flight (the request is sent, the answer not yet
 * read): a describe naming `cr`, or an offerings search or purchase for any reservation, which `act` is told (so
 * it acts on the block whose purchase is in flight). The call's answer is handed back only after `act` finished,
 * so whatever the tick does next sees the action's effect in the store.
 */
export function midCallProvider(
  inner: CapacityProvider,
  during: CallKind,
  cr: string,
  act: (cr: string) => Promise<void>,
): { provider: CapacityProvider; fired: () => boolean; acted: () => Promise<void> } {
  let fired = false;
  let acting: Promise<void> = Promise.resolve();
  const around = async <T>(target: string | undefined, call: () => Promise<T>): Promise<T> => {
    if (fired || target === undefined) return call();
    fired = true;
    const pending = call();
    acting = act(target);
    const [answer] = await Promise.allSettled([pending, acting]);
    if (answer.status === "rejected") throw answer.reason;
    return answer.value;
  };
  const provider = wrapProvider(inner, {
    describeReservations: (r, ids) =>
      around(during === "describe" && ids.includes(cr) ? cr : undefined, () => inner.describeReservations(r, ids)),
    extensionHistory: (r, ids) => around(during === "describe" && ids.includes(cr) ? cr : undefined, () => inner.extensionHistory(r, ids)),
    extensionOfferings: (r, c, d) => around(during === "offerings" ? c : undefined, () => inner.extensionOfferings(r, c, d)),
    purchaseExtension: (r, c, o) => around(during === "purchase" ? c : undefined, () => inner.purchaseExtension(r, c, o)),
  });
  // The tick may finish before the action does (a parallel call failed and the tick gave up on the page): `acted`
  // lets the caller wait for the action too.
  return { provider, fired: () => fired, acted: () => acting };
}

/** What an approval notice tells the approver: the window, and the duration, fee and currency they would agree to. */
export interface NoticeText {
  pk: string;
  window: string;
  notice: string;
  durationHours: number;
  upfrontFee: string;
  currencyCode: string;
}

/**
 * Reads an approval notice as a person would: window and notice kind from its key (`PK#window#notice#count`), the
 * duration and fee from the lines the body shows. A notice that does not state them is itself a failure.
 */
export function readApprovalNotice(n: Notification): NoticeText | undefined {
  if (!n.kind.startsWith("approval-")) return undefined;
  const [pk, window, notice] = n.key.split("#");
  const duration = /^Extension:\s+.*\((\d+) h\)/m.exec(n.body);
  const fee = /^Upfront fee:\s+(\d+\.\d{2}) ([A-Z]{3})/m.exec(n.body);
  if (!pk || !window || !notice || !duration || !fee) throw new Error(`approval notice ${n.key} does not state its terms:\n${n.body}`);
  return { pk, window, notice, durationHours: Number(duration[1]), upfrontFee: fee[1]!, currencyCode: fee[2]! };
}

/**
 * The approver's mailbox: approval notices go to `onNotice`, everything else is dropped. A notice that cannot be
 * read goes to `onProblem` (thrown here, CBM would treat it as a failed send and try again later).
 */
export function recordingNotifier(canReachApprover: boolean, onNotice: (n: NoticeText) => void, onProblem: (err: Error) => void): Notifier {
  return {
    canReachApprover,
    send: async (n) => {
      try {
        const text = readApprovalNotice(n);
        if (text) onNotice(text);
      } catch (err) {
        onProblem(err as Error);
      }
    },
  };
}
