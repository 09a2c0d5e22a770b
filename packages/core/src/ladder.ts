/** EC2's duration ladder in days: 1–14 in 1-day steps, then 21…182 in 7-day steps (reference §2.1). */
export const LADDER_DAYS: readonly number[] = [
  ...Array.from({ length: 14 }, (_, i) => i + 1),
  ...Array.from({ length: 24 }, (_, i) => 21 + i * 7),
];

const LADDER_SET = new Set(LADDER_DAYS);

/** True when `days` is a duration EC2 sells (purchases and extensions share the ladder). */
export function isOnLadder(days: number): boolean {
  return LADDER_SET.has(days);
}

/** True when `hours` is a whole number of ladder days. */
export function isLadderHours(hours: number): boolean {
  return Number.isInteger(hours) && hours % 24 === 0 && isOnLadder(hours / 24);
}

/** Ladder durations strictly shorter than `days`, longest first: the fallbacks when `days` has no offering. */
export function shorterLadderDays(days: number): number[] {
  return LADDER_DAYS.filter((d) => d < days).reverse();
}

/** A duration for people: `1 day`, `7 days`, or `30 h` when not whole days. */
export function durationText(hours: number): string {
  if (hours % 24 !== 0) return `${hours} h`;
  return hours === 24 ? "1 day" : `${hours / 24} days`;
}

/** Smallest ladder duration of at least `days` (capped at the ladder's top). */
export function ladderCeil(days: number): number {
  return LADDER_DAYS.find((d) => d >= days) ?? LADDER_DAYS[LADDER_DAYS.length - 1]!;
}
