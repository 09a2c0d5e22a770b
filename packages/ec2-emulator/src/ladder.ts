/**
 * Durations a Capacity Block or an extension can have, in hours: 1–14 days in 1-day steps, then 21–182 days in
 * 7-day steps (reference §0.3).
 */
export function isLadderHours(hours: number): boolean {
  if (!Number.isInteger(hours)) return false;
  if (hours >= 24 && hours <= 336) return hours % 24 === 0;
  if (hours >= 504 && hours <= 4368) return hours % 168 === 0;
  return false;
}

export const LADDER_HOURS: readonly number[] = [
  ...Array.from({ length: 14 }, (_, i) => (i + 1) * 24),
  ...Array.from({ length: 24 }, (_, i) => (i + 3) * 168),
];
