import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { Block, type CapacityProvider, type HistoryEvent, VersionConflictError, addMoney, compareMoney } from "@cbm/core";
import type { TickReport } from "../../src/tick/create-tick";
import { modelActions, type SequenceState } from "./reliability-actions";
import { type IntentEvidence, authorizationGap, authorizationKey, intentEvidence } from "./reliability-authorization";
import {
  CrashSwitch,
  type IntentWrite,
  type NoticeText,
  Seq,
  crashingProvider,
  crashingStore,
  intentRecordingStore,
  laggedProvider,
  midCallProvider,
  recordingNotifier,
} from "./reliability-io";
import {
  type BlockModel,
  InvariantError,
  type Notice,
  type Purchase,
  type PurchaseCall,
  type Snapshot,
  canon,
  coverageGap,
  feeFor,
  purchaseViolation,
  snapshot,
  wantedHours,
} from "./reliability-model";
import {
  CLOSES_BEFORE_MS,
  CURRENCY,
  type CallKind,
  type Command,
  DEFAULT_RATE,
  INSTANCE_TYPE,
  MAX_WINDOW_MS,
  type MidCall,
  type SequenceSpec,
} from "./reliability-commands";
import { ACCOUNT, type SchedulerHarness, iso, startSchedulerHarness, time, wrapProvider } from "./scheduler-harness";

export { InvariantError } from "./reliability-model";

/*
 * Runs reliability sequences against ONE scheduler harness (one emulator over HTTP, one DynamoDB Local table) for
 * the whole run. Each sequence gets fresh reservation ids and PKs, an emptied emulator (reset: ledger, faults,
 * capacity, prices) and its own virtual start time; its blocks leave the due index when it ends.
 */

const BASE_START = Date.parse("2025-06-01T00:00:00.000Z");
/** How long the quiet period at the end of a sequence lasts (virtual). */
const DRAIN_MS = 3 * time.HOUR;
const DRAIN_MAX_TICKS = 40;
const WRITES_STORE: ReadonlySet<Command["k"]> = new Set(["tick", "api", "late"]);
/**
 * Settle grace, and the wall-clock margin after a purchase call's timeout before an intent may be settled "not
 * bought". The EC2 emulator holds a late purchase for `latencyMs` (300 ms) of real time: well inside this margin.
 */
const SETTLE_GRACE_MS = 1_000;

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
  /** API actions and their outcomes, mid-call actions, notices that voided an approval, re-approvals. */
  actions: Record<string, number>;
  /** Purchases by the kind of authorization that covered them; `late` reached EC2 after the client gave up. */
  authorizations: Record<string, number>;
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

const bump = (r: Record<string, number>, k: string, by = 1) => void (r[k] = (r[k] ?? 0) + by);

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
  const stats: RunStats = {
    sequences: 0,
    commands: 0,
    ticks: 0,
    purchases: 0,
    crashesFired: 0,
    faultsFired: {},
    livenessExpected: 0,
    livenessSkipped: 0,
    skipped: {},
    actions: {},
    authorizations: {},
  };

  async function runSequence(spec: SequenceSpec, trace: string[]): Promise<void> {
    const { control } = h;
    control.reset();
    control.setClock(iso(BASE_START + spec.startOffsetMin * time.MINUTE));
    control.configure({ paymentDelaySeconds: spec.paymentDelaySeconds });
    let rate: string = DEFAULT_RATE;
    const autoApprove = !spec.canReachApprover;
    const settings = {
      accountId: ACCOUNT,
      // Also the wall-clock margin after a purchase call's timeout: real seconds here, so keep it short.
      settleGraceMs: SETTLE_GRACE_MS,
      backoffBaseMs: time.MINUTE,
      backoffMaxMs: 20 * time.MINUTE,
      recheckIntervalMs: time.HOUR,
    };
    /** Model states in force during the tick in progress, per reservation; a concurrent action adds its result. */
    let tickSnapshots: Map<string, Snapshot[]> | null = null;
    const st: SequenceState = {
      h,
      seq: new Seq(),
      trace,
      models: [],
      notices: [],
      approvals: new Map(),
      versions: new Map(),
      rate: () => rate,
      count: (what) => bump(stats.actions, what),
      changed: (m) => void tickSnapshots?.get(m.cr)?.push(snapshot(m)),
    };
    const { models } = st;
    const actions = modelActions(st);
    /** Notices CBM sent that the approver could not read (kept for the next check: a throwing notifier would be retried). */
    const unreadable: Error[] = [];
    const notifier = recordingNotifier(spec.canReachApprover, onNotice, (err) => unreadable.push(err));
    const calls: PurchaseCall[] = [];
    const intentWrites = new Map<string, IntentWrite>();
    /** purchase-intent events per offering, read from history once a purchase of that offering shows up. */
    const evidence = new Map<string, IntentEvidence[]>();
    /** Real time by which every EC2 answer held by a latency fault has landed (the quiet period and cleanup wait for it). */
    let heldUntil = 0;

    const recorder = wrapProvider(h.ec2, {
      purchaseExtension: async (r, c, o) => {
        const call: PurchaseCall = { cr: c, offeringId: o, atMs: h.clock.now().getTime(), snapshots: tickSnapshots?.get(c) ?? [] };
        calls.push(call);
        try {
          return await h.ec2.purchaseExtension(r, c, o);
        } catch (err) {
          call.clientFailed = true;
          throw err;
        }
      },
    });

    try {
      const startMs = h.clock.now().getTime();
      for (const b of spec.blocks) {
        models.push(await timed("create", () => actions.createBlock(b, freshIds(), endAt1130(startMs, b.endInDays))));
      }
      trace.push(
        `blocks: ${models.map((m, i) => `#${i} ${m.pk} ${m.cr} ${m.region} x${m.instanceCount} ${JSON.stringify(m.policy)}`).join(" | ")}`,
      );

      for (const cmd of spec.commands) {
        trace.push(`${iso(h.clock.now().getTime())} ${JSON.stringify(cmd)}`);
        const latencyBefore = latencyFired();
        await timed(cmd.k, () => run(cmd));
        if (latencyFired() > latencyBefore) heldUntil = Date.now() + opts.latencyMs + 50;
        stats.commands++;
        // Jumps, faults, capacity and prices write nothing to the store: the ledger part of the check is enough.
        await timed("check", () => checkSafety(`after ${cmd.k}`, WRITES_STORE.has(cmd.k)));
      }
      await timed("drain", () => drain());
    } finally {
      // A purchase still held must not land in the next sequence's emulator.
      const wait = heldUntil - Date.now();
      if (wait > 0) await sleep(wait);
      await timed("cleanup", () => cleanup(models));
    }
    stats.sequences++;

    /** The approver reads a notice; a terms-changed notice means CBM voided the approval that no longer covers the quote. */
    function onNotice(t: NoticeText): void {
      const m = models.find((x) => x.pk === t.pk);
      if (!m) return;
      const n: Notice = { ...t, window: canon(t.window), seq: st.seq.next(), registrationId: m.registration.id };
      st.notices.push(n);
      if (n.notice !== "terms-changed") return;
      st.count("terms-changed");
      const held = m.held;
      const quote = {
        capacityReservationId: m.cr,
        registrationId: n.registrationId,
        window: n.window,
        durationHours: n.durationHours,
        upfrontFee: n.upfrontFee,
        currencyCode: n.currencyCode,
      };
      if (held && held.registrationId === n.registrationId && held.window === n.window && coverageGap(held.terms, quote) !== null) {
        actions.endHeld(m, n.seq, `voided: ${coverageGap(held.terms, quote)}`);
      }
    }

    function latencyFired(): number {
      return control
        .faults()
        .filter((f) => f.kind === "latency")
        .reduce((n, f) => n + f.fired, 0);
    }

    /**
     * Before the quiet period: every EC2 answer held by a latency fault has landed, and every intent's wall-clock
     * bound (`callSettledAt`) has passed, so the quiet period settles whatever is in flight on virtual time alone.
     */
    async function landHeldCalls(): Promise<void> {
      const blocks = await Promise.all(models.map((m) => h.store.get(m.pk)));
      const bounds = blocks.map((b) => (b?.intent?.callSettledAt ? Date.parse(b.intent.callSettledAt) : 0));
      const wait = Math.max(heldUntil, ...bounds) - Date.now();
      if (wait > 0) await sleep(wait + 10);
    }

    /**
     * One tick instance (its own createTick) with its own wrappers: `lagMs` before each EC2 call, an optional
     * action inside one EC2 call, an optional crash. Intent writes are recorded innermost, so a write that
     * committed is known even when the process "dies" right after it.
     */
    function tickLane(o: {
      sw?: CrashSwitch | null;
      lagMs?: number;
      mid?: { during: CallKind; cr: string; act: (cr: string) => Promise<void> };
    }) {
      let ec2: CapacityProvider = recorder;
      let midFired = () => false;
      let midActed = () => Promise.resolve();
      if (o.mid) {
        const mid = midCallProvider(ec2, o.mid.during, o.mid.cr, o.mid.act);
        ec2 = mid.provider;
        midFired = mid.fired;
        midActed = mid.acted;
      }
      ec2 = laggedProvider(ec2, o.lagMs ?? 0);
      let store = intentRecordingStore(h.store, st.seq, intentWrites);
      if (o.sw) {
        ec2 = crashingProvider(ec2, o.sw);
        store = crashingStore(store, o.sw);
      }
      // A purchase call's timeout runs on real time (callClock), as in local mode where the virtual clock runs faster:
      // a jump of the clock does not make a call in flight any older, so a held purchase may land after the jump.
      return {
        tick: h.makeTick({ ec2, store, notifier, settings, concurrency: 4, callClock: Date.now, purchaseTimeoutMs: opts.requestTimeoutMs }),
        midFired,
        midActed,
      };
    }

    /** Runs a mid-call action on the block of reservation `cr` (the one whose EC2 call is in flight). */
    async function runMidCallAct(mid: MidCall, cr: string, concurrent: boolean): Promise<void> {
      if (mid.act.k === "price") return setPrice(mid.act.rate);
      return actions.run(
        models.findIndex((m) => m.cr === cr),
        mid.act,
        { concurrent },
      );
    }

    async function runTick(cmd: Extract<Command, { k: "tick" }>): Promise<void> {
      tickSnapshots = new Map(models.map((m) => [m.cr, [snapshot(m)]]));
      try {
        const sw = cmd.crash ? new CrashSwitch(cmd.crash) : null;
        const mid = cmd.mid;
        const lanes = Array.from({ length: cmd.overlap + 1 }, (_, i) =>
          tickLane({
            sw: i === 0 ? sw : null,
            lagMs: cmd.lagsMs[i] ?? 0,
            ...(i === 0 && mid
              ? { mid: { during: mid.during, cr: models[mid.block]!.cr, act: (cr: string) => runMidCallAct(mid, cr, true) } }
              : {}),
          }),
        );
        const work: Promise<unknown>[] = lanes.map((l) => l.tick());
        if (cmd.edit) work.push(actions.run(cmd.edit.block, { k: "edit", edit: cmd.edit.edit }, { concurrent: true }));
        const results = await Promise.all(work);
        await lanes[0]!.midActed();
        stats.ticks += lanes.length;
        if (sw?.fired) stats.crashesFired++;
        const reports = results.slice(0, lanes.length) as TickReport[];
        trace.push(
          `  ${reports.map((r) => JSON.stringify({ due: r.due, d: r.decisions, buy: r.purchaseAttempts, ok: r.purchases, err: r.errors, thr: r.throttled, cfl: r.conflicts })).join(" || ")}${sw ? ` crash ${sw.point}: ${sw.fired}` : ""}`,
        );
        if (mid) {
          // The tick never made that call (nothing to buy, say): the action still happens, after it.
          const fired = lanes[0]!.midFired();
          st.count(fired ? `mid-${mid.during}-${mid.act.k}` : "mid-after-tick");
          if (!fired) await runMidCallAct(mid, models[mid.block]!.cr, false);
        }
      } finally {
        tickSnapshots = null;
      }
    }

    /**
     * Holds the next purchase before it commits, longer than the client waits: it reaches EC2 after CBM gave up on
     * it. Chased: a tick buys, the clock jumps past the settle grace, and the next tick runs while the purchase is
     * still on its way; only the intent's wall-clock bound (`callSettledAt`) stops it settling "not bought".
     */
    async function latePurchase(cmd: Extract<Command, { k: "late" }>): Promise<void> {
      control.injectFault({
        action: "PurchaseCapacityBlockExtension",
        kind: "latency",
        ms: opts.latencyMs,
        effect: "before",
        ...(cmd.block !== null ? { match: { capacityReservationId: models[cmd.block]!.cr } } : {}),
      });
      if (!cmd.chase) return;
      const plain: Extract<Command, { k: "tick" }> = { k: "tick", overlap: 0, lagsMs: [0], crash: null, edit: null, mid: null };
      const before = latencyFired();
      await runTick(plain);
      if (latencyFired() === before) return;
      st.count("late-chased");
      control.advance(SETTLE_GRACE_MS + time.MINUTE);
      await runTick(plain);
    }

    function setPrice(r: string): void {
      control.setPrice({ instanceType: INSTANCE_TYPE, hourlyRate: r });
      rate = r;
    }

    async function run(cmd: Command): Promise<void> {
      switch (cmd.k) {
        case "tick":
          return runTick(cmd);
        case "api":
          return actions.run(cmd.block, cmd.act, { concurrent: false });
        case "jump":
          // Calls held by a latency fault stay in flight: a late purchase commits at the later virtual time.
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
        case "late":
          return latePurchase(cmd);
        case "capacity": {
          const m = models[cmd.block]!;
          control.setCapacity({ capacityReservationId: m.cr, durationsHours: [cmd.days * 24], available: cmd.available });
          if (cmd.available) m.unavailableHours.delete(cmd.days * 24);
          else m.unavailableHours.add(cmd.days * 24);
          return;
        }
        case "price":
          return setPrice(cmd.rate);
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
            currencyCode: l.currencyCode,
            window: canon(e.capacityBlockExtensionStartDate),
            status: e.capacityBlockExtensionStatus,
            paymentResolvesAtMs: e.paymentResolvesAt ? Date.parse(e.paymentResolvesAt) : undefined,
          };
        });
    }

    async function historyOf(pk: string): Promise<HistoryEvent[]> {
      const out: HistoryEvent[] = [];
      let cursor: string | undefined;
      do {
        const page = await h.history.list(pk, { limit: 200, ...(cursor ? { cursor } : {}) });
        out.push(...page.items);
        cursor = page.cursor;
      } while (cursor);
      return out;
    }

    /** The one purchase-intent event CBM wrote for the offering EC2 sold (history outlives registrations). */
    async function evidenceFor(m: BlockModel, offeringId: string): Promise<IntentEvidence> {
      if (!evidence.has(offeringId)) for (const [o, list] of intentEvidence(await historyOf(m.pk))) evidence.set(o, list);
      const list = evidence.get(offeringId) ?? [];
      if (list.length !== 1)
        throw new InvariantError(
          `purchase ${offeringId} of ${m.cr} has ${list.length} purchase-intent events in the history of ${m.pk}, not exactly one authorization`,
        );
      return list[0]!;
    }

    /**
     * Money safety after every step. Per purchase in EC2's ledger: one per window; exactly one authorization,
     * whose terms cover it, of the registration that existed then, given by the model if it is an approval, never
     * used twice; and allowed by a policy state in force (window, duration, cap, budget across registrations …).
     */
    async function checkSafety(when: string, readStore = true): Promise<void> {
      if (unreadable.length > 0) throw new InvariantError(`${when}: ${unreadable[0]!.message}`);
      actions.checkApprovals(when);
      const all = purchases();
      const usedBy = new Map<string, string>();
      for (const m of models) {
        const mine = all.filter((p) => p.cr === m.cr);
        const perWindow = new Map<string, number>();
        for (const p of mine) perWindow.set(p.window, (perWindow.get(p.window) ?? 0) + 1);
        for (const [w, n] of perWindow) if (n > 1) throw new InvariantError(`${when}: ${n} purchases for ${m.cr} in window ${w}`);
        for (const [idx, bought] of mine.entries()) {
          const call = calls.find((c) => c.offeringId === bought.offeringId);
          if (!call) throw new InvariantError(`${when}: EC2 sold ${bought.offeringId} for ${m.cr} without a recorded call from CBM`);
          const p = { ...bought, atMs: call.atMs };
          const ev = await evidenceFor(m, p.offeringId);
          const gap = authorizationGap(p, ev, {
            m,
            approvals: st.approvals,
            write: intentWrites.get(ev.intent.id),
            snapshots: call.snapshots,
          });
          if (gap)
            throw new InvariantError(
              `${when}: purchase ${p.offeringId} of ${m.cr}: its ${ev.authorization.kind} authorization does not hold: ${gap}`,
            );
          const key = authorizationKey(ev);
          const other = usedBy.get(key);
          if (other !== undefined)
            throw new InvariantError(`${when}: purchases ${other} and ${p.offeringId} of ${m.cr} used the same authorization (${key})`);
          usedBy.set(key, p.offeringId);
          const inForce = call.snapshots.filter((s) => s.registrationId === ev.authorization.terms.registrationId);
          const reasons = inForce.map((s) => purchaseViolation(p, s, mine.slice(0, idx), { autoApprove, kind: ev.authorization.kind }));
          if (inForce.length === 0 || reasons.every((r) => r !== null)) {
            throw new InvariantError(
              `${when}: purchase ${p.offeringId} of ${m.cr} was not allowed: ${reasons.join(" / ") || "no model state of its registration"}`,
            );
          }
        }
      }
      if (!readStore) return;
      const stored = await Promise.all(models.map((m) => h.store.get(m.pk)));
      stored.forEach((b, i) => {
        const m = models[i]!;
        if (!b) throw new InvariantError(`${when}: block ${m.pk} is gone`);
        const parsed = Block.safeParse(b);
        if (!parsed.success) throw new InvariantError(`${when}: block ${m.pk} no longer parses: ${parsed.error.message}`);
        if (b.registrationId !== m.registration.id)
          throw new InvariantError(`${when}: ${m.pk} is registration ${b.registrationId}, the model created ${m.registration.id}`);
        const last = st.versions.get(m.registration.id) ?? 0;
        if (b.version < last) throw new InvariantError(`${when}: version of ${m.pk} went back from ${last} to ${b.version}`);
        st.versions.set(m.registration.id, b.version);
        if (compareMoney(b.spent, "0") < 0) throw new InvariantError(`${when}: ${m.pk} spent is negative (${b.spent})`);
      });
    }

    /** What the quiet period must bring for one block: a purchase in `window`, first re-approving if `reapprove`. */
    interface Expectation {
      m: BlockModel;
      window: string;
      /** The approval the purchase must use: the one held, when it covers the quote. */
      approvalBy?: string;
      /** The approval held does not cover the quote: CBM must void it with a terms-changed notice, the model approves the new quote. */
      reapprove: boolean;
      reapprovedBy?: string;
    }

    function ec2End(m: BlockModel): string {
      return canon(control.reservation(m.cr)!.endDate);
    }

    function windowOf(m: BlockModel) {
      const end = Date.parse(ec2End(m));
      return {
        opens: Math.max(end - m.policy.lookaheadHours * time.HOUR, end - MAX_WINDOW_MS),
        lastStart: end - CLOSES_BEFORE_MS - DRAIN_MS,
      };
    }

    /**
     * What the model says must happen in the quiet period (from EC2, prices and the model only), or why nothing
     * must: the rules of the policy, then the authorization: the policy alone, an approval whose terms cover the
     * quote, one that does not (re-approval after the terms-changed notice), or automatic approval.
     */
    function expectationFor(m: BlockModel, t0: number, before: Purchase[]): Expectation | string {
      if (!m.present) return "unregistered";
      const r = control.reservation(m.cr);
      if (!r || (r.state !== "active" && r.state !== "scheduled")) return "no-reservation";
      const end = ec2End(m);
      const w = windowOf(m);
      if (!(w.opens <= t0 && t0 <= w.lastStart)) return "window";
      const mine = before.filter((p) => p.cr === m.cr);
      if (mine.some((p) => p.window === end)) return "bought";
      const p = m.policy;
      if (!p.enabled) return "disabled";
      if (m.denial === end) return "denied";
      if (p.extendUntil !== undefined && Date.parse(end) >= Date.parse(p.extendUntil)) return "extend-until";
      if (p.maxExtensions !== undefined && mine.filter((x) => x.status === "payment-succeeded").length >= p.maxExtensions)
        return "max-extensions";
      const hours = wantedHours(p, end);
      if (m.unavailableHours.has(hours)) return "no-capacity";
      const fee = feeFor(rate, m.instanceCount, hours);
      if (p.maxUpfrontFee !== undefined && compareMoney(fee, p.maxUpfrontFee) > 0) return "cap";
      const spent = mine.filter((x) => x.status !== "payment-failed").reduce((s, x) => addMoney(s, x.upfrontFee), "0");
      if (p.budget !== undefined && compareMoney(addMoney(spent, fee), p.budget) > 0) return "budget";
      if (!p.requireApproval) return { m, window: end, reapprove: false };
      const held = m.held?.window === end ? m.held : null;
      if (held) {
        const quote = {
          capacityReservationId: m.cr,
          registrationId: m.registration.id,
          window: end,
          durationHours: hours,
          upfrontFee: fee,
          currencyCode: CURRENCY,
        };
        return coverageGap(held.terms, quote) === null
          ? { m, window: end, approvalBy: held.by, reapprove: false }
          : { m, window: end, reapprove: true };
      }
      return autoApprove ? { m, window: end, reapprove: false } : "no-approval";
    }

    /**
     * The approver answers a voided approval's notice before the quiet period: an approval of the quoted terms.
     * (Unanswered, CBM waits for the next reminder or the last call, even when no approver can be reached and it
     * would otherwise buy automatically.) Whether the new approval covers what is on offer now is up to the rules.
     */
    async function answerVoidNotices(): Promise<void> {
      for (const m of models) {
        if (!m.present || !m.policy.requireApproval) continue;
        const end = ec2End(m);
        if (m.held?.window === end) continue;
        const last = st.notices.filter((n) => n.registrationId === m.registration.id && n.window === end).at(-1);
        if (last?.notice !== "terms-changed") continue;
        if (await actions.approve(m, "patch", { concurrent: false })) st.count("approved-after-void");
      }
    }

    /** The approver answers the terms-changed notice of the quiet period by approving the new quote. */
    async function reapprove(expected: Expectation[], sinceSeq: number): Promise<void> {
      for (const e of expected) {
        if (!e.reapprove || e.reapprovedBy) continue;
        const notice = st.notices.find(
          (n) => n.seq > sinceSeq && n.registrationId === e.m.registration.id && n.window === e.window && n.notice === "terms-changed",
        );
        if (!notice) continue;
        const given = await actions.approve(e.m, "patch", { concurrent: false });
        if (!given) throw new InvariantError(`liveness: ${e.m.pk} could not be approved again after the terms-changed notice`);
        e.reapprovedBy = given.by;
        st.count("reapproved");
      }
    }

    /** Quiet period: faults off, no crashes, the clock moved into the windows; then liveness and bookkeeping. */
    async function drain(): Promise<void> {
      for (const f of control.faults()) if (f.fired > 0) bump(stats.faultsFired, f.kind, f.fired);
      control.clearFaults();
      await landHeldCalls();
      const nowMs = () => h.clock.now().getTime();
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
      await answerVoidNotices();
      const drainSeq = st.seq.next();

      const before = purchases();
      const expected: Expectation[] = [];
      for (const m of models) {
        const e = expectationFor(m, t0, before);
        if (typeof e === "string") bump(stats.skipped, e);
        else expected.push(e);
      }
      stats.livenessExpected += expected.length;
      stats.livenessSkipped += models.length - expected.length;
      trace.push(
        `  expected: ${expected.map((e) => `${e.m.pk} ${e.window}${e.reapprove ? " (re-approve)" : e.approvalBy ? ` (with ${e.approvalBy})` : ""}`).join(", ") || "none"}`,
      );

      const plain = tickLane({}).tick;
      for (let i = 0; i < DRAIN_MAX_TICKS; i++) {
        tickSnapshots = new Map(models.map((m) => [m.cr, [snapshot(m)]]));
        const r = await plain();
        tickSnapshots = null;
        stats.ticks++;
        stats.drainTicks = (stats.drainTicks ?? 0) + 1;
        trace.push(
          `  drain ${iso(nowMs())} ${JSON.stringify({ due: r.due, d: r.decisions, buy: r.purchaseAttempts, ok: r.purchases, err: r.errors })}`,
        );
        await reapprove(expected, drainSeq);
        if (nowMs() >= t0 + DRAIN_MS) break;
        const blocks = await Promise.all(models.map((m) => h.store.get(m.pk)));
        // Done early once every expected extension is bought and no purchase is left unsettled.
        const bought = new Set(purchases().map((p) => `${p.cr} ${p.window}`));
        if (blocks.every((b) => !b?.intent) && expected.every((e) => bought.has(`${e.m.cr} ${e.window}`))) break;
        const next = Math.min(...blocks.map((b) => (b?.nextCheckAt ? Date.parse(b.nextCheckAt) : Infinity)));
        const to = Math.min(Math.max(next, nowMs() + time.MINUTE), t0 + DRAIN_MS);
        control.advance(to - nowMs());
      }
      await checkSafety("after the quiet period");

      const after = purchases();
      stats.purchases += after.length;
      await countAuthorizations(after);
      for (const e of expected) await checkLiveness(e, after);
      for (const m of models) await checkBooks(m, after);
    }

    async function checkLiveness(e: Expectation, after: Purchase[]): Promise<void> {
      const { m, window } = e;
      const bought = after.find((p) => p.cr === m.cr && p.window === window);
      if (!bought) {
        const b = await h.store.get(m.pk);
        const why = e.reapprove && !e.reapprovedBy ? " (its approval no longer covers the quote, and no terms-changed notice came)" : "";
        throw new InvariantError(
          `liveness: ${m.pk} (${m.cr}) should have been extended in window ${window} during the quiet period${why}; it is ${b?.status}: ${b?.statusReason}`,
        );
      }
      // The approval held is the one used (before automatic approval); a voided one never is: the re-approval is.
      const must = e.reapprove ? e.reapprovedBy : e.approvalBy;
      if (must !== undefined) {
        const ev = await evidenceFor(m, bought.offeringId);
        if (ev.authorization.by !== must) {
          throw new InvariantError(
            `liveness: ${m.pk} bought in ${window} under ${ev.authorization.kind} ${ev.authorization.by ?? ""}, not the approval ${must}`,
          );
        }
      }
    }

    /** CBM's books match EC2's: what the current registration counts as spent is what EC2 took for the reservation. */
    async function checkBooks(m: BlockModel, after: Purchase[]): Promise<void> {
      const b = (await h.store.get(m.pk))!;
      if (b.intent) throw new InvariantError(`after the quiet period ${m.pk} still has an unsettled intent ${b.intent.offeringId}`);
      const mine = after.filter((p) => p.cr === m.cr);
      const pendingOrPaid = mine.filter((p) => p.status !== "payment-failed").reduce((s, p) => addMoney(s, p.upfrontFee), "0");
      // CBM learns of a failed payment on its next look, so it may still count one that just failed.
      const all = mine.reduce((s, p) => addMoney(s, p.upfrontFee), "0");
      if (compareMoney(b.spent, pendingOrPaid) < 0 || compareMoney(b.spent, all) > 0) {
        throw new InvariantError(
          `bookkeeping: ${m.pk} spent ${b.spent}, EC2 took ${pendingOrPaid} (${all} with failed payments) over ${m.registrations.length} registration(s)`,
        );
      }
    }

    async function countAuthorizations(after: Purchase[]): Promise<void> {
      for (const p of after) {
        const m = models.find((x) => x.cr === p.cr)!;
        bump(stats.authorizations, (await evidenceFor(m, p.offeringId)).authorization.kind);
        if (calls.find((c) => c.offeringId === p.offeringId)?.clientFailed) bump(stats.authorizations, "late");
        if (m.registrations.length > 1) bump(stats.authorizations, "re-registered");
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
          // Every write names the registration it is for; one without would never match a registered block.
          if (!b.intent) await h.store.delete(b.PK, b.version, [], undefined, b.registrationId);
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
