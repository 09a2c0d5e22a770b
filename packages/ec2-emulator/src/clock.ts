import { ControlError } from "./errors";

/** Anything `advance` accepts: milliseconds, or a readable duration. */
export type Duration = number | { ms?: number; seconds?: number; minutes?: number; hours?: number; days?: number };

/** What a clock is, as plain data: enough to rebuild it in another process (see snapshot.ts). */
export interface ClockState {
  real: boolean;
  rate: number;
  anchorVirtualMs: number;
  anchorWallMs: number;
}

/**
 * The emulator's notion of "now". Real time by default; once set it is virtual. A virtual clock either stands
 * still (rate 0) and moves only by `advance`, or runs `rate` times faster than the wall clock (local mode:
 * "1 real minute = N virtual minutes"). Lifecycle state is derived from this clock on every read, so advancing
 * needs no timers and every due transition is seen in time order.
 */
export class Clock {
  private anchorVirtualMs = 0;
  private anchorWallMs = 0;
  private rate = 1;
  private real = true;

  constructor(private readonly wallNow: () => number = Date.now) {
    this.useRealTime();
  }

  nowMs(): number {
    if (this.real) return this.wallNow();
    return this.anchorVirtualMs + Math.floor((this.wallNow() - this.anchorWallMs) * this.rate);
  }

  now(): Date {
    return new Date(this.nowMs());
  }

  /** Jump to `iso` and make the clock virtual; `rate` 0 (default) freezes it, N > 0 runs N× wall speed. */
  set(iso: string, rate = 0): void {
    const ms = Date.parse(iso);
    if (Number.isNaN(ms)) throw new ControlError("InvalidClock", `Not an ISO timestamp: '${iso}'`);
    this.setRate(rate);
    this.anchorVirtualMs = ms;
    this.anchorWallMs = this.wallNow();
    this.real = false;
  }

  setRate(rate: number): void {
    if (!Number.isFinite(rate) || rate < 0) throw new ControlError("InvalidClock", `Rate must be a number ≥ 0, got ${rate}`);
    if (!this.real) {
      // Re-anchor so the time already elapsed at the old rate is kept.
      this.anchorVirtualMs = this.nowMs();
      this.anchorWallMs = this.wallNow();
    }
    this.rate = rate;
  }

  /** Moves virtual time forward (a real clock becomes virtual and frozen at "now + d"). */
  advance(d: Duration): Date {
    const ms = durationMs(d);
    if (ms < 0) throw new ControlError("InvalidClock", "The clock only moves forward");
    const target = this.nowMs() + ms;
    if (this.real) this.rate = 0;
    this.real = false;
    this.anchorVirtualMs = target;
    this.anchorWallMs = this.wallNow();
    return new Date(target);
  }

  useRealTime(): void {
    this.real = true;
    this.rate = 1;
  }

  state(): ClockState {
    return { real: this.real, rate: this.rate, anchorVirtualMs: this.anchorVirtualMs, anchorWallMs: this.anchorWallMs };
  }

  /**
   * Continues a clock saved by another process as if it had kept running meanwhile, as time does in AWS while CBM is
   * down. That is the only choice that can never go backwards: the last instant the old process showed anyone is
   * unknown after a crash, but it cannot be later than "anchor + elapsed wall time × rate". A wall clock that was
   * turned back since only restarts from the saved anchor.
   */
  restore(saved: ClockState): void {
    this.real = saved.real;
    this.rate = saved.rate;
    this.anchorVirtualMs = saved.anchorVirtualMs;
    this.anchorWallMs = Math.min(saved.anchorWallMs, this.wallNow());
  }

  describe(): { now: string; mode: "real" | "virtual"; rate: number } {
    return { now: this.now().toISOString(), mode: this.real ? "real" : "virtual", rate: this.rate };
  }
}

export function durationMs(d: Duration): number {
  if (typeof d === "number") return checkFinite(d);
  if (d === null || typeof d !== "object") throw new ControlError("InvalidClock", "Duration must be ms or {seconds|minutes|hours|days}");
  const ms = (d.ms ?? 0) + (d.seconds ?? 0) * 1_000 + (d.minutes ?? 0) * 60_000 + (d.hours ?? 0) * 3_600_000 + (d.days ?? 0) * 86_400_000;
  return checkFinite(ms);
}

function checkFinite(ms: number): number {
  if (!Number.isFinite(ms)) throw new ControlError("InvalidClock", `Duration must be a finite number, got ${ms}`);
  return Math.round(ms);
}
