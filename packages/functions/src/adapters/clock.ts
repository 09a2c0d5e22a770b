import type { Clock } from "@cbm/core";

export const systemClock: Clock = { now: () => new Date() };
