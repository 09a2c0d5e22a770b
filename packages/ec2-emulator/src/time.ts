export const SECOND = 1_000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** Every capacity block starts (when bought whole days ahead) and ends at 11:30 UTC (reference §2.1). */
const END_OF_DAY_OFFSET = 11 * HOUR + 30 * MINUTE;

export function isAtBlockBoundary(ms: number): boolean {
  return ((ms % DAY) + DAY) % DAY === END_OF_DAY_OFFSET;
}

/** The first 11:30 UTC at or after `ms`. */
export function nextBoundary(ms: number): number {
  const dayStart = Math.floor(ms / DAY) * DAY;
  const candidate = dayStart + END_OF_DAY_OFFSET;
  return candidate >= ms ? candidate : candidate + DAY;
}

/** The last 11:30 UTC at or before `ms`. */
export function previousBoundary(ms: number): number {
  const next = nextBoundary(ms);
  return next === ms ? ms : next - DAY;
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** Parses an RFC 3339 / ISO 8601 timestamp; `undefined` when it is not one. */
export function parseTimestamp(value: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(value)) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}
