import type { Clock } from "@cbm/core";

export const systemClock: Clock = { now: () => new Date() };

/** A clock tests can set and advance; no fake timers needed (STYLE practice 4). */
export function manualClock(start: Date | string): Clock & { set(t: Date | string): void; advance(ms: number): void } {
  let current = new Date(start);
  return {
    now: () => new Date(current),
    set: (t) => {
      current = new Date(t);
    },
    advance: (ms) => {
      current = new Date(current.getTime() + ms);
    },
  };
}
