/** Milliseconds since the epoch of an ISO-8601 instant; throws on a string that is not one (a broken invariant). */
export function toMs(iso: string): number {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new RangeError(`not an ISO-8601 instant: ${iso}`);
  return ms;
}

/** The canonical ISO form (`…T…:…:….sssZ`) of an instant in milliseconds. */
export function isoAt(ms: number): string {
  return new Date(ms).toISOString();
}

/** Canonical ISO form of an ISO string, so stored instants compare equal as strings whatever offset they came in. */
export function canonicalIso(iso: string): string {
  return isoAt(toMs(iso));
}

/** The instant `ms` milliseconds after `iso`, in canonical form. */
export function isoPlus(iso: string, ms: number): string {
  return isoAt(toMs(iso) + ms);
}

/**
 * True when two ISO strings denote the same instant. Windows are identified by EC2 end dates, which reach us from
 * different APIs (`…:00Z`, `…:00.000Z`), so identity must never be string equality.
 */
export function sameInstant(a: string | null | undefined, b: string | null | undefined): boolean {
  if (a == null || b == null) return false;
  return toMs(a) === toMs(b);
}

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;
