import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { type CapacityProvider, VersionConflictError } from "@cbm/core";
import { modelActions, type SequenceState } from "./reliability-actions";
import { type NoticeText, Seq, recordingNotifier } from "./reliability-io";
import { type BlockModel, type Notice, type PurchaseCall, canon, coverageGap, snapshot } from "./reliability-model";
import { type Command, DEFAULT_RATE, type SequenceSpec } from "./reliability-commands";
import { ACCOUNT, type SchedulerHarness, iso, startSchedulerHarness, time, wrapProvider } from "./scheduler-harness";
import {
  QUIET_REQUEST_TIMEOUT_MS,
  SETTLE_GRACE_MS,
  type WorldOptions,
  type RunStats,
  type SequenceRun,
  bump,
} from "./reliability-sequence";
import { latencyFired, runCommand } from "./reliability-steps";
import { checkSafety } from "./reliability-checks";
import { drain } from "./reliability-drain";

export { InvariantError } from "./reliability-model";
export type { RunStats, WorldOptions } from "./reliability-sequence";

/*
 * Runs reliability sequences against ONE scheduler harness (one emulator over HTTP, one DynamoDB Local table) for
 * the whole run. Each sequence gets fresh reservation ids and PKs, an emptied emulator (reset: ledger, faults,
 * capacity, prices) and its own virtual start time; its blocks leave the due index when it ends.
 */

const BASE_START = Date.parse("2025-06-01T00:00:00.000Z");
const WRITES_STORE: ReadonlySet<Command["k"]> = new Set(["tick", "api", "late"]);

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
  const quietEc2 = h.ec2TimingOutAfter(QUIET_REQUEST_TIMEOUT_MS);
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
    h.control.reset();
    h.control.setClock(iso(BASE_START + spec.startOffsetMin * time.MINUTE));
    h.control.configure({ paymentDelaySeconds: spec.paymentDelaySeconds });
    const st: SequenceState = {
      h,
      seq: new Seq(),
      trace,
      models: [],
      notices: [],
      approvals: new Map(),
      versions: new Map(),
      rate: () => ctx.rate,
      count: (what) => bump(stats.actions, what),
      changed: (m) => void ctx.tickSnapshots?.get(m.cr)?.push(snapshot(m)),
    };
    const unreadable: Error[] = [];
    const calls: PurchaseCall[] = [];
    const recording = (ec2: CapacityProvider) =>
      wrapProvider(ec2, {
        purchaseExtension: async (r, c, o) => {
          const call: PurchaseCall = { cr: c, offeringId: o, atMs: h.clock.now().getTime(), snapshots: ctx.tickSnapshots?.get(c) ?? [] };
          calls.push(call);
          try {
            return await ec2.purchaseExtension(r, c, o);
          } catch (err) {
            call.clientFailed = true;
            throw err;
          }
        },
      });
    const ctx: SequenceRun = {
      h,
      control: h.control,
      opts,
      stats,
      st,
      models: st.models,
      actions: modelActions(st),
      trace,
      settings: {
        accountId: ACCOUNT,
        // Also the wall-clock margin after a purchase call's timeout: real seconds here, so keep it short.
        settleGraceMs: SETTLE_GRACE_MS,
        backoffBaseMs: time.MINUTE,
        backoffMaxMs: 20 * time.MINUTE,
        recheckIntervalMs: time.HOUR,
      },
      autoApprove: !spec.canReachApprover,
      notifier: recordingNotifier(
        spec.canReachApprover,
        (t) => onNotice(ctx, t),
        (err) => unreadable.push(err),
      ),
      recorder: recording(h.ec2),
      quietRecorder: recording(quietEc2),
      calls,
      unreadable,
      intentWrites: new Map(),
      evidence: new Map(),
      rate: DEFAULT_RATE,
      heldUntil: 0,
      tickSnapshots: null,
    };
    const { models, actions } = ctx;

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
        const latencyBefore = latencyFired(ctx);
        await timed(cmd.k, () => runCommand(ctx, cmd));
        if (latencyFired(ctx) > latencyBefore) ctx.heldUntil = Date.now() + opts.latencyMs + 50;
        stats.commands++;
        // Jumps, faults, capacity and prices write nothing to the store: the ledger part of the check is enough.
        await timed("check", () => checkSafety(ctx, `after ${cmd.k}`, WRITES_STORE.has(cmd.k)));
      }
      await timed("drain", () => drain(ctx));
    } finally {
      // A purchase still held must not land in the next sequence's emulator.
      const wait = ctx.heldUntil - Date.now();
      if (wait > 0) await sleep(wait);
      await timed("cleanup", () => cleanup(models));
    }
    stats.sequences++;
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

/** The approver reads a notice; a terms-changed notice means CBM voided the approval that no longer covers the quote. */
function onNotice(ctx: SequenceRun, t: NoticeText): void {
  const m = ctx.models.find((x) => x.pk === t.pk);
  if (!m) return;
  const n: Notice = { ...t, window: canon(t.window), seq: ctx.st.seq.next(), registrationId: m.registration.id };
  ctx.st.notices.push(n);
  if (n.notice !== "terms-changed") return;
  ctx.st.count("terms-changed");
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
    ctx.actions.endHeld(m, n.seq, `voided: ${coverageGap(held.terms, quote)}`);
  }
}
