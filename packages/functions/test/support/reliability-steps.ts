import { setTimeout as sleep } from "node:timers/promises";
import { type CapacityProvider } from "@cbm/core";
import type { TickReport } from "../../src/tick/create-tick";
import { CrashSwitch, crashingProvider, crashingStore, intentRecordingStore, laggedProvider, midCallProvider } from "./reliability-io";
import { snapshot } from "./reliability-model";
import { type CallKind, type Command, INSTANCE_TYPE, type MidCall } from "./reliability-commands";
import { time } from "./scheduler-harness";
import { QUIET_REQUEST_TIMEOUT_MS, SETTLE_GRACE_MS, type SequenceRun } from "./reliability-sequence";

/* The commands of a sequence carried out: ticks (overlapping, lagging, crashing, with an action mid-call), API
 * actions, jumps in time, faults, late purchases, capacity and prices. */

export function latencyFired(ctx: SequenceRun): number {
  return ctx.control
    .faults()
    .filter((f) => f.kind === "latency")
    .reduce((n, f) => n + f.fired, 0);
}

/**
 * Before the quiet period: every EC2 answer held by a latency fault has landed, and every intent's wall-clock
 * bound (`callSettledAt`) has passed, so the quiet period settles whatever is in flight on virtual time alone.
 */
export async function landHeldCalls(ctx: SequenceRun): Promise<void> {
  const blocks = await Promise.all(ctx.models.map((m) => ctx.h.store.get(m.pk)));
  const bounds = blocks.map((b) => (b?.intent?.callSettledAt ? Date.parse(b.intent.callSettledAt) : 0));
  const wait = Math.max(ctx.heldUntil, ...bounds) - Date.now();
  if (wait > 0) await sleep(wait + 10);
}

/**
 * One tick instance (its own createTick) with its own wrappers: `lagMs` before each EC2 call, an optional
 * action inside one EC2 call, an optional crash. Intent writes are recorded innermost, so a write that
 * committed is known even when the process "dies" right after it.
 */
export function tickLane(
  ctx: SequenceRun,
  o: {
    sw?: CrashSwitch | null;
    lagMs?: number;
    mid?: { during: CallKind; cr: string; act: (cr: string) => Promise<void> };
    /** The quiet period's tick: EC2 calls that load cannot time out. */
    quiet?: boolean;
  },
) {
  let ec2: CapacityProvider = o.quiet ? ctx.quietRecorder : ctx.recorder;
  let midFired = () => false;
  let midActed = () => Promise.resolve();
  if (o.mid) {
    const mid = midCallProvider(ec2, o.mid.during, o.mid.cr, o.mid.act);
    ec2 = mid.provider;
    midFired = mid.fired;
    midActed = mid.acted;
  }
  ec2 = laggedProvider(ec2, o.lagMs ?? 0);
  let store = intentRecordingStore(ctx.h.store, ctx.st.seq, ctx.intentWrites);
  if (o.sw) {
    ec2 = crashingProvider(ec2, o.sw);
    store = crashingStore(store, o.sw);
  }
  // A purchase call's timeout runs on real time (callClock), as in local mode where the virtual clock runs faster:
  // a jump of the clock does not make a call in flight any older, so a held purchase may land after the jump.
  return {
    tick: ctx.h.makeTick({
      ec2,
      store,
      notifier: ctx.notifier,
      settings: ctx.settings,
      concurrency: 4,
      callClock: Date.now,
      purchaseTimeoutMs: o.quiet ? QUIET_REQUEST_TIMEOUT_MS : ctx.opts.requestTimeoutMs,
    }),
    midFired,
    midActed,
  };
}

/** Runs a mid-call action on the block of reservation `cr` (the one whose EC2 call is in flight). */
export async function runMidCallAct(ctx: SequenceRun, mid: MidCall, cr: string, concurrent: boolean): Promise<void> {
  if (mid.act.k === "price") return setPrice(ctx, mid.act.rate);
  return ctx.actions.run(
    ctx.models.findIndex((m) => m.cr === cr),
    mid.act,
    { concurrent },
  );
}

export async function runTick(ctx: SequenceRun, cmd: Extract<Command, { k: "tick" }>): Promise<void> {
  ctx.tickSnapshots = new Map(ctx.models.map((m) => [m.cr, [snapshot(m)]]));
  try {
    const sw = cmd.crash ? new CrashSwitch(cmd.crash) : null;
    const mid = cmd.mid;
    const lanes = Array.from({ length: cmd.overlap + 1 }, (_, i) =>
      tickLane(ctx, {
        sw: i === 0 ? sw : null,
        lagMs: cmd.lagsMs[i] ?? 0,
        ...(i === 0 && mid
          ? { mid: { during: mid.during, cr: ctx.models[mid.block]!.cr, act: (cr: string) => runMidCallAct(ctx, mid, cr, true) } }
          : {}),
      }),
    );
    const work: Promise<unknown>[] = lanes.map((l) => l.tick());
    if (cmd.edit) work.push(ctx.actions.run(cmd.edit.block, { k: "edit", edit: cmd.edit.edit }, { concurrent: true }));
    const results = await Promise.all(work);
    await lanes[0]!.midActed();
    ctx.stats.ticks += lanes.length;
    if (sw?.fired) ctx.stats.crashesFired++;
    const reports = results.slice(0, lanes.length) as TickReport[];
    ctx.trace.push(
      `  ${reports.map((r) => JSON.stringify({ due: r.due, d: r.decisions, buy: r.purchaseAttempts, ok: r.purchases, err: r.errors, thr: r.throttled, cfl: r.conflicts })).join(" || ")}${sw ? ` crash ${sw.point}: ${sw.fired}` : ""}`,
    );
    if (mid) {
      // The tick never made that call (nothing to buy, say): the action still happens, after it.
      const fired = lanes[0]!.midFired();
      ctx.st.count(fired ? `mid-${mid.during}-${mid.act.k}` : "mid-after-tick");
      if (!fired) await runMidCallAct(ctx, mid, ctx.models[mid.block]!.cr, false);
    }
  } finally {
    ctx.tickSnapshots = null;
  }
}

/**
 * Holds the next purchase before it commits, longer than the client waits: it reaches EC2 after CBM gave up on
 * it. Chased: a tick buys, the clock jumps past the settle grace, and the next tick runs while the purchase is
 * still on its way; only the intent's wall-clock bound (`callSettledAt`) stops it settling "not bought".
 */
export async function latePurchase(ctx: SequenceRun, cmd: Extract<Command, { k: "late" }>): Promise<void> {
  ctx.control.injectFault({
    action: "PurchaseCapacityBlockExtension",
    kind: "latency",
    ms: ctx.opts.latencyMs,
    effect: "before",
    ...(cmd.block !== null ? { match: { capacityReservationId: ctx.models[cmd.block]!.cr } } : {}),
  });
  if (!cmd.chase) return;
  const plain: Extract<Command, { k: "tick" }> = { k: "tick", overlap: 0, lagsMs: [0], crash: null, edit: null, mid: null };
  const before = latencyFired(ctx);
  await runTick(ctx, plain);
  if (latencyFired(ctx) === before) return;
  ctx.st.count("late-chased");
  ctx.control.advance(SETTLE_GRACE_MS + time.MINUTE);
  await runTick(ctx, plain);
}

export function setPrice(ctx: SequenceRun, r: string): void {
  ctx.control.setPrice({ instanceType: INSTANCE_TYPE, hourlyRate: r });
  ctx.rate = r;
}

export async function runCommand(ctx: SequenceRun, cmd: Command): Promise<void> {
  switch (cmd.k) {
    case "tick":
      return runTick(ctx, cmd);
    case "api":
      return ctx.actions.run(cmd.block, cmd.act, { concurrent: false });
    case "jump":
      // Calls held by a latency fault stay in flight: a late purchase commits at the later virtual time.
      ctx.control.advance(cmd.ms);
      return;
    case "fault":
      ctx.control.injectFault({
        action: cmd.action,
        kind: cmd.kind,
        times: cmd.times,
        ...(cmd.block !== null ? { match: { capacityReservationId: ctx.models[cmd.block]!.cr } } : {}),
        ...(cmd.kind === "latency" ? { ms: ctx.opts.latencyMs, effect: cmd.effect } : {}),
      });
      return;
    case "late":
      return latePurchase(ctx, cmd);
    case "capacity": {
      const m = ctx.models[cmd.block]!;
      ctx.control.setCapacity({ capacityReservationId: m.cr, durationsHours: [cmd.days * 24], available: cmd.available });
      if (cmd.available) m.unavailableHours.delete(cmd.days * 24);
      else m.unavailableHours.add(cmd.days * 24);
      return;
    }
    case "price":
      return setPrice(ctx, cmd.rate);
  }
}
