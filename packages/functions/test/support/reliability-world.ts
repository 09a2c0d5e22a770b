import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import {
  Block,
  type BlockStore,
  type CapacityProvider,
  InvalidStateError,
  PurchaseInFlightError,
  VersionConflictError,
  addMoney,
  compareMoney,
  wantedDurationsDays,
} from "@cbm/core";
import type { TickReport } from "../../src/tick/create-tick";
import {
  type BlockModel,
  type BlockSpec,
  CLOSES_BEFORE_MS,
  type Command,
  type CrashPoint,
  DEFAULT_RATE,
  type Edit,
  INSTANCE_TYPE,
  MAX_WINDOW_MS,
  type Purchase,
  type PurchaseCall,
  type SequenceSpec,
  type Snapshot,
  canon,
  feeFor,
  purchaseViolation,
  resolveMoney,
  snapshot,
} from "./reliability-model";
import { ACCOUNT, type SchedulerHarness, iso, silentNotifier, startSchedulerHarness, time, wrapProvider, wrapStore } from "./scheduler-harness";

/*
 * Runs reliability sequences against ONE scheduler harness (one emulator over HTTP, one DynamoDB Local table) for
 * the whole run. Each sequence gets fresh reservation ids and PKs, an emptied emulator (reset: ledger, faults,
 * capacity, prices) and its own virtual start time; its blocks leave the due index when it ends.
 */

const BASE_START = Date.parse("2025-06-01T00:00:00.000Z");
/** How long the quiet period at the end of a sequence lasts (virtual). */
const DRAIN_MS = 3 * time.HOUR;
const DRAIN_MAX_TICKS = 40;
const WRITES_STORE: ReadonlySet<Command["k"]> = new Set(["tick", "edit", "approve", "deny"]);

export interface WorldOptions {
  dynamoEndpoint: string;
  /** The EC2 client's per-request timeout. */
  requestTimeoutMs: number;
  /** Latency faults hold a response this long: beyond the timeout, so the caller gives up first. */
  latencyMs: number;
}

export interface RunStats {
  sequences: number;
  commands: number;
  ticks: number;
  purchases: number;
  crashesFired: number;
  faultsFired: Record<string, number>;
  livenessExpected: number;
  livenessSkipped: number;
  drainTicks?: number;
  skipped: Record<string, number>;
}

export class InvariantError extends Error {}

/** A tick's process dying at `point`: from then on every store and EC2 call of that tick fails. */
class CrashSwitch {
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

function crashingStore(inner: BlockStore, sw: CrashSwitch): BlockStore {
  const guard = <T>(f: () => Promise<T>) => {
    sw.check();
    return f();
  };
  return wrapStore(inner, {
    get: (pk) => guard(() => inner.get(pk)),
    findDue: (n, o) => guard(() => inner.findDue(n, o)),
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

function crashingProvider(inner: CapacityProvider, sw: CrashSwitch): CapacityProvider {
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

let idCounter = 0;
const runPrefix = randomBytes(4).toString("hex");
function freshIds(): { cr: string; pk: string } {
  idCounter++;
  const hex = (runPrefix + idCounter.toString(16).padStart(9, "0")).slice(-17);
  return { cr: `cr-${hex}`, pk: `rel-${runPrefix}-${idCounter}` };
}

/** The first 11:30 UTC at least `days` days after `fromMs`'s day. */
function endAt1130(fromMs: number, days: number): string {
  const day = Math.floor(fromMs / time.DAY) * time.DAY;
  return iso(day + days * time.DAY + 11.5 * time.HOUR);
}

export async function startReliabilityWorld(opts: WorldOptions) {
  const h: SchedulerHarness = await startSchedulerHarness({
    dynamoEndpoint: opts.dynamoEndpoint,
    start: iso(BASE_START),
    requestTimeoutMs: opts.requestTimeoutMs,
  });
  const timing: Record<string, number> = {};
  const timed = async <T>(k: string, f: () => Promise<T>): Promise<T> => {
    const t = performance.now();
    try {
      return await f();
    } finally {
      timing[k] = (timing[k] ?? 0) + performance.now() - t;
    }
  };
  const stats: RunStats = { sequences: 0, commands: 0, ticks: 0, purchases: 0, crashesFired: 0, faultsFired: {}, livenessExpected: 0, livenessSkipped: 0, skipped: {} };

  async function runSequence(spec: SequenceSpec, trace: string[]): Promise<void> {
    const { control } = h;
    control.reset();
    control.setClock(iso(BASE_START + spec.startOffsetMin * time.MINUTE));
    control.configure({ paymentDelaySeconds: 60 });
    let rate: string = DEFAULT_RATE;
    const autoApprove = !spec.canReachApprover;
    const notifier = silentNotifier(spec.canReachApprover);
    const settings = {
      accountId: ACCOUNT,
      settleGraceMs: time.MINUTE,
      backoffBaseMs: time.MINUTE,
      backoffMaxMs: 20 * time.MINUTE,
      recheckIntervalMs: time.HOUR,
    };
    const calls: PurchaseCall[] = [];
    /** Model states in force during the current tick, per reservation; a concurrent edit adds its result. */
    let tickSnapshots = new Map<string, Snapshot[]>();
    const recorder = wrapProvider(h.ec2, {
      purchaseExtension: (r, c, o) => {
        calls.push({ cr: c, offeringId: o, atMs: h.clock.now().getTime(), snapshots: tickSnapshots.get(c) ?? [] });
        return h.ec2.purchaseExtension(r, c, o);
      },
    });
    const tickWith = (sw: CrashSwitch | null) =>
      h.makeTick({ ec2: sw ? crashingProvider(recorder, sw) : recorder, store: sw ? crashingStore(h.store, sw) : h.store, notifier, settings, concurrency: 4 });

    const models: BlockModel[] = [];
    const versions = new Map<string, number>();
    try {
      const startMs = h.clock.now().getTime();
      for (const b of spec.blocks) models.push(await timed("create", () => createBlock(b, startMs)));
      trace.push(`blocks: ${models.map((m, i) => `#${i} ${m.cr} ${m.region} x${m.instanceCount} ${JSON.stringify(m.policy)}`).join(" | ")}`);

      for (const cmd of spec.commands) {
        trace.push(`${iso(h.clock.now().getTime())} ${JSON.stringify(cmd)}`);
        await timed(cmd.k, () => run(cmd));
        stats.commands++;
        // Jumps, faults, capacity and prices write nothing to the store: the ledger part of the check is enough.
        await timed("check", () => checkSafety(`after ${cmd.k}`, WRITES_STORE.has(cmd.k)));
      }
      await timed("drain", () => drain());
    } finally {
      await timed("cleanup", () => cleanup(models));
    }
    stats.sequences++;

    async function createBlock(b: BlockSpec, startMs: number): Promise<BlockModel> {
      const { cr, pk } = freshIds();
      const endDate = endAt1130(startMs, b.endInDays);
      control.seedBlock({ capacityReservationId: cr, endDate, region: b.region, instanceCount: b.instanceCount, instanceType: INSTANCE_TYPE });
      const fee = feeFor(rate, b.instanceCount, b.extendByDays * 24);
      const cap = resolveMoney(b.maxUpfrontFee, fee);
      const budget = resolveMoney(b.budget, fee);
      const policy = {
        requireApproval: b.requireApproval,
        extendByDays: b.extendByDays,
        lookaheadHours: b.lookaheadHours,
        ...(cap ? { maxUpfrontFee: cap } : {}),
        ...(budget ? { budget } : {}),
        ...(b.maxExtensions !== null ? { maxExtensions: b.maxExtensions } : {}),
        ...(b.extendUntilDays !== null ? { extendUntil: iso(Date.parse(endDate) + b.extendUntilDays * time.DAY) } : {}),
      };
      const { block } = await h.api.create({ PK: pk, capacityReservationId: cr, region: b.region, policy }, { actor: "model" });
      versions.set(pk, block.version);
      return { pk, cr, region: b.region, instanceCount: b.instanceCount, policy: block.policy, verdicts: new Map(), unavailableHours: new Set() };
    }

    function ec2End(m: BlockModel): string {
      return canon(control.reservation(m.cr)!.endDate);
    }

    async function applyEdit(i: number, edit: Edit): Promise<void> {
      const m = models[i]!;
      let value: unknown = edit.value;
      if (edit.field === "maxUpfrontFee" || edit.field === "budget") {
        const hours = wantedDurationsDays(m.policy, ec2End(m))[0]! * 24;
        value = resolveMoney(edit.value, feeFor(rate, m.instanceCount, hours)) ?? null;
      }
      try {
        const { block } = await h.api.update(m.pk, { policy: { [edit.field]: value } }, { actor: "model" });
        m.policy = block.policy;
      } catch (err) {
        // An unpinned edit gives up after a few lost races with the scheduler; the model keeps the old policy.
        if (!(err instanceof VersionConflictError)) throw err;
        trace.push(`  edit lost: ${(err as Error).message}`);
      }
    }

    async function verdict(i: number, kind: "approve" | "deny"): Promise<void> {
      const m = models[i]!;
      try {
        const b = kind === "approve" ? (await h.api.approve(m.pk, { actor: "model" })).block : await h.api.deny(m.pk, { actor: "model" });
        const v = kind === "approve" ? b.approval : b.denial;
        if (!v) throw new InvariantError(`${kind} answered without a verdict on ${m.pk}`);
        m.verdicts.set(canon(v.window), kind === "approve" ? "approved" : "denied");
        trace.push(`  ${kind} → window ${canon(v.window)}`);
      } catch (err) {
        // Before the first tick the block has no end date from EC2, and while a purchase is being settled the
        // window is uncertain: refusing is the right answer in both cases.
        if (err instanceof InvalidStateError || err instanceof PurchaseInFlightError || err instanceof VersionConflictError) {
          trace.push(`  ${kind} refused: ${(err as Error).message}`);
          return;
        }
        throw err;
      }
    }

    function latencyFired(): number {
      return control.faults().filter((f) => f.kind === "latency").reduce((n, f) => n + f.fired, 0);
    }

    async function runTick(cmd: Extract<Command, { k: "tick" }>): Promise<void> {
      tickSnapshots = new Map(models.map((m) => [m.cr, [snapshot(m)]]));
      const sw = cmd.crash ? new CrashSwitch(cmd.crash) : null;
      const before = latencyFired();
      const work: Promise<unknown>[] = [tickWith(sw)()];
      if (cmd.overlap) work.push(tickWith(null)());
      if (cmd.edit) {
        const { block, edit } = cmd.edit;
        work.push(
          applyEdit(block, edit).then(() => {
            const m = models[block]!;
            tickSnapshots.get(m.cr)!.push(snapshot(m));
          }),
        );
      }
      const results = await Promise.all(work);
      stats.ticks += cmd.overlap ? 2 : 1;
      if (sw?.fired) stats.crashesFired++;
      const reports = results.slice(0, cmd.overlap ? 2 : 1) as TickReport[];
      trace.push(`  ${reports.map((r) => JSON.stringify({ due: r.due, d: r.decisions, buy: r.purchaseAttempts, ok: r.purchases, err: r.errors, thr: r.throttled, cfl: r.conflicts })).join(" || ")}${sw ? ` crash ${sw.point}: ${sw.fired}` : ""}`);
      // A held response commits at the frozen virtual time; let it land before the next command moves the clock.
      if (latencyFired() > before) await sleep(opts.latencyMs + 30);
    }

    async function run(cmd: Command): Promise<void> {
      switch (cmd.k) {
        case "tick":
          return runTick(cmd);
        case "edit":
          return applyEdit(cmd.block, cmd.edit);
        case "approve":
        case "deny":
          return verdict(cmd.block, cmd.k);
        case "jump":
          control.advance(cmd.ms);
          return;
        case "fault":
          control.injectFault({
            action: cmd.action,
            kind: cmd.kind,
            times: cmd.times,
            ...(cmd.block !== null ? { match: { capacityReservationId: models[cmd.block]!.cr } } : {}),
            ...(cmd.kind === "latency" ? { ms: opts.latencyMs, effect: cmd.effect } : {}),
          });
          return;
        case "capacity": {
          const m = models[cmd.block]!;
          control.setCapacity({ capacityReservationId: m.cr, durationsHours: [cmd.days * 24], available: cmd.available });
          if (cmd.available) m.unavailableHours.delete(cmd.days * 24);
          else m.unavailableHours.add(cmd.days * 24);
          return;
        }
        case "price":
          control.setPrice({ instanceType: INSTANCE_TYPE, hourlyRate: cmd.rate });
          rate = cmd.rate;
          return;
      }
    }

    function purchases(): Purchase[] {
      const ours = new Set(models.map((m) => m.cr));
      const exts = new Map(control.extensions().map((e) => [e.capacityBlockExtensionOfferingId, e]));
      return control
        .ledger()
        .filter((l) => l.action === "PurchaseCapacityBlockExtension" && ours.has(l.capacityReservationId))
        .map((l) => {
          const e = exts.get(l.offeringId);
          if (!e) throw new InvariantError(`ledger entry ${l.offeringId} has no extension in EC2`);
          return {
            cr: l.capacityReservationId,
            offeringId: l.offeringId,
            atMs: Date.parse(l.at),
            upfrontFee: l.upfrontFee,
            durationHours: l.durationHours,
            window: canon(e.capacityBlockExtensionStartDate),
            status: e.capacityBlockExtensionStatus,
            paymentResolvesAtMs: e.paymentResolvesAt ? Date.parse(e.paymentResolvesAt) : undefined,
          };
        });
    }

    /** Safety after every step: one purchase per window, each one allowed, every record present and valid. */
    async function checkSafety(when: string, readStore = true): Promise<void> {
      const all = purchases();
      for (const m of models) {
        const mine = all.filter((p) => p.cr === m.cr);
        const perWindow = new Map<string, number>();
        for (const p of mine) perWindow.set(p.window, (perWindow.get(p.window) ?? 0) + 1);
        for (const [w, n] of perWindow) if (n > 1) throw new InvariantError(`${when}: ${n} purchases for ${m.cr} in window ${w}`);
        mine.forEach((p, idx) => {
          const call = calls.find((c) => c.offeringId === p.offeringId);
          if (!call) throw new InvariantError(`${when}: EC2 sold ${p.offeringId} for ${m.cr} without a recorded call from CBM`);
          const atMs = call.atMs;
          const reasons = call.snapshots.map((s) => purchaseViolation({ ...p, atMs }, s, mine.slice(0, idx), { autoApprove }));
          if (call.snapshots.length === 0 || reasons.every((r) => r !== null)) {
            throw new InvariantError(`${when}: purchase ${p.offeringId} of ${m.cr} was not allowed: ${reasons.join(" / ") || "no model state"}`);
          }
        });
      }
      if (!readStore) return;
      const stored = await Promise.all(models.map((m) => h.store.get(m.pk)));
      stored.forEach((b, i) => {
        const m = models[i]!;
        if (!b) throw new InvariantError(`${when}: block ${m.pk} is gone`);
        const parsed = Block.safeParse(b);
        if (!parsed.success) throw new InvariantError(`${when}: block ${m.pk} no longer parses: ${parsed.error.message}`);
        const last = versions.get(m.pk) ?? 0;
        if (b.version < last) throw new InvariantError(`${when}: version of ${m.pk} went back from ${last} to ${b.version}`);
        versions.set(m.pk, b.version);
        if (compareMoney(b.spent, "0") < 0) throw new InvariantError(`${when}: ${m.pk} spent is negative (${b.spent})`);
      });
    }

    /** Quiet period: faults off, no crashes, the clock moved into the windows; then liveness and bookkeeping. */
    async function drain(): Promise<void> {
      for (const f of control.faults()) if (f.fired > 0) stats.faultsFired[f.kind] = (stats.faultsFired[f.kind] ?? 0) + f.fired;
      control.clearFaults();
      const nowMs = () => h.clock.now().getTime();
      const windowOf = (m: BlockModel) => {
        const end = Date.parse(ec2End(m));
        return { opens: Math.max(end - m.policy.lookaheadHours * time.HOUR, end - MAX_WINDOW_MS), lastStart: end - CLOSES_BEFORE_MS - DRAIN_MS };
      };
      // Pick the start that puts the most windows open for the whole quiet period.
      const candidates = [nowMs(), ...models.map((m) => windowOf(m).opens)].filter((t) => t >= nowMs());
      let best = nowMs();
      let bestCount = -1;
      for (const t of candidates.sort((a, b) => a - b)) {
        const n = models.filter((m) => windowOf(m).opens <= t && t <= windowOf(m).lastStart).length;
        if (n > bestCount) [best, bestCount] = [t, n];
      }
      if (best > nowMs()) control.advance(best - nowMs());
      const t0 = nowMs();
      trace.push(`${iso(t0)} drain`);

      // What the model says must happen in the quiet period (computed at its start, from EC2 and the model only).
      const before = purchases();
      const expectedWindow = new Map<string, string>();
      const skip = (why: string) => {
        stats.skipped[why] = (stats.skipped[why] ?? 0) + 1;
        return false;
      };
      const expected = models.filter((m) => {
        const r = control.reservation(m.cr);
        if (!r || (r.state !== "active" && r.state !== "scheduled")) return skip("no-reservation");
        const end = ec2End(m);
        const w = windowOf(m);
        if (!(w.opens <= t0 && t0 <= w.lastStart)) return skip("window");
        const mine = before.filter((p) => p.cr === m.cr);
        if (mine.some((p) => p.window === end)) return skip("bought"); // bought already
        const p = m.policy;
        if (!p.enabled) return skip("disabled");
        const v = m.verdicts.get(end);
        if (v === "denied") return skip("denied");
        if (p.requireApproval && !autoApprove && v !== "approved") return skip("no-approval");
        if (p.extendUntil !== undefined && Date.parse(end) >= Date.parse(p.extendUntil)) return skip("extend-until");
        if (p.maxExtensions !== undefined && mine.filter((x) => x.status === "payment-succeeded").length >= p.maxExtensions) return skip("max-extensions");
        const hours = wantedDurationsDays(p, end)[0]! * 24;
        if (m.unavailableHours.has(hours)) return skip("no-capacity");
        const fee = feeFor(rate, m.instanceCount, hours);
        if (p.maxUpfrontFee !== undefined && compareMoney(fee, p.maxUpfrontFee) > 0) return skip("cap");
        const spent = mine.filter((x) => x.status !== "payment-failed").reduce((s, x) => addMoney(s, x.upfrontFee), "0");
        if (p.budget !== undefined && compareMoney(addMoney(spent, fee), p.budget) > 0) return skip("budget");
        expectedWindow.set(m.cr, end);
        return true;
      });
      stats.livenessExpected += expected.length;
      stats.livenessSkipped += models.length - expected.length;

      const plain = tickWith(null);
      for (let i = 0; i < DRAIN_MAX_TICKS; i++) {
        tickSnapshots = new Map(models.map((m) => [m.cr, [snapshot(m)]]));
        const r = await plain();
        stats.ticks++;
        stats.drainTicks = (stats.drainTicks ?? 0) + 1;
        trace.push(`  drain ${iso(nowMs())} ${JSON.stringify({ due: r.due, d: r.decisions, buy: r.purchaseAttempts, ok: r.purchases, err: r.errors })}`);
        if (nowMs() >= t0 + DRAIN_MS) break;
        const blocks = await Promise.all(models.map((m) => h.store.get(m.pk)));
        // Done early once every expected extension is bought and no purchase is left unsettled.
        const bought = new Set(purchases().map((p) => `${p.cr} ${p.window}`));
        if (blocks.every((b) => !b?.intent) && expected.every((m) => bought.has(`${m.cr} ${expectedWindow.get(m.cr)}`))) break;
        const next = Math.min(...blocks.map((b) => (b?.nextCheckAt ? Date.parse(b.nextCheckAt) : Infinity)));
        const to = Math.min(Math.max(next, nowMs() + time.MINUTE), t0 + DRAIN_MS);
        control.advance(to - nowMs());
      }
      await checkSafety("after the quiet period");

      const after = purchases();
      stats.purchases += after.length;
      for (const m of expected) {
        const window = expectedWindow.get(m.cr)!;
        const bought = after.some((p) => p.cr === m.cr && p.window === window);
        if (!bought) {
          const b = await h.store.get(m.pk);
          throw new InvariantError(`liveness: ${m.pk} (${m.cr}) should have been extended in window ${window} during the quiet period; it is ${b?.status}: ${b?.statusReason}`);
        }
      }
      for (const m of models) {
        const b = (await h.store.get(m.pk))!;
        if (b.intent) throw new InvariantError(`after the quiet period ${m.pk} still has an unsettled intent ${b.intent.offeringId}`);
        const mine = after.filter((p) => p.cr === m.cr);
        const pendingOrPaid = mine.filter((p) => p.status !== "payment-failed").reduce((s, p) => addMoney(s, p.upfrontFee), "0");
        // CBM learns of a failed payment on its next look, so it may still count one that just failed.
        const all = mine.reduce((s, p) => addMoney(s, p.upfrontFee), "0");
        if (compareMoney(b.spent, pendingOrPaid) < 0 || compareMoney(b.spent, all) > 0) {
          throw new InvariantError(`bookkeeping: ${m.pk} spent ${b.spent}, EC2 took ${pendingOrPaid} (${all} with failed payments)`);
        }
      }
    }
  }

  /**
   * Deletes the sequence's blocks so the next sequence's ticks never see them: every sequence reuses the same
   * virtual dates, so leftovers would pile up in the due and ending indexes and slow long runs down. A block whose
   * purchase is still unsettled cannot be deleted (by design); it is only taken out of the due index.
   */
  async function cleanup(models: BlockModel[]): Promise<void> {
    for (const m of models) {
      for (let attempt = 0; attempt < 5; attempt++) {
        const b = await h.store.get(m.pk);
        if (!b) break;
        try {
          if (!b.intent) await h.store.delete(b.PK, b.version);
          else if (b.nextCheckAt != null) await h.store.update({ ...b, nextCheckAt: null }, b.version);
          break;
        } catch (err) {
          if (!(err instanceof VersionConflictError)) throw err;
        }
      }
    }
  }

  return { h, stats, timing, runSequence, stop: () => h.stop() };
}

export type ReliabilityWorld = Awaited<ReturnType<typeof startReliabilityWorld>>;
