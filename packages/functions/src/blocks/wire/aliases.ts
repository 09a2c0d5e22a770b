import * as z from "zod";
import { compareMoney, isDecimalString, MAX_LOOKAHEAD_HOURS } from "@cbm/core";

interface Alias {
  /** The canonical field this name stands for. */
  of: string;
  /** The value is in days where the field counts hours (× 24). */
  days?: true;
  /** A first-release name: documented as deprecated, and a warning names the field to use instead. */
  deprecated?: true;
  /** The first release's `approval` flag always acts; the README's `approved` read back unchanged is an echo. */
  alwaysActs?: true;
}

/**
 * Every other name a block body accepts for a field: the one table from which the body schema, the normalisation
 * to canonical fields (conflicts included), the deprecation warning and the OpenAPI document are derived. Order
 * matters: when several names of one field disagree, the issue names the later one.
 */
export const FIELD_ALIASES = {
  lookaheadDays: { of: "lookaheadHours", days: true },
  approval: { of: "approved", alwaysActs: true },
  // The first CBM release's field names, kept so existing scripts keep working.
  capacity_block_id: { of: "capacityReservationId", deprecated: true },
  end_time: { of: "endDate", deprecated: true },
  extend_by_days: { of: "extendByDays", deprecated: true },
  extension_lookahead_days: { of: "lookaheadHours", days: true, deprecated: true },
  require_approval: { of: "requireApproval", deprecated: true },
  instance_type: { of: "instanceType", deprecated: true },
} as const satisfies Record<string, Alias>;

type AliasName = keyof typeof FIELD_ALIASES;
const ALIASES = Object.entries(FIELD_ALIASES) as [AliasName, Alias][];

/** A lookahead in days: whole hours between 2 hours and 56 days (e.g. 2 or 0.5). */
const LookaheadDays = z.number({ error: "must be a number of days" }).refine((d) => {
  const hours = d * 24;
  return Number.isInteger(hours) && hours >= 2 && hours <= MAX_LOOKAHEAD_HOURS;
}, "must be whole hours between 2 hours and 56 days (e.g. 2 or 0.5)");

/**
 * The schema of each alias whose field is in `fields`: the field's own (or its days form), so an alias accepts
 * exactly what its field accepts. `nested` keeps CBM's own second names only (the first release had no `policy`).
 */
export function aliasShape(fields: Record<string, z.ZodType>, opts: { nested?: boolean } = {}): Record<string, z.ZodType> {
  const shape: Record<string, z.ZodType> = {};
  for (const [name, alias] of ALIASES) {
    const field = fields[alias.of];
    if (!field || (opts.nested && alias.deprecated)) continue;
    shape[name] = alias.days ? LookaheadDays.optional() : field;
  }
  return shape;
}

/** One value as sent, under the name the client used. */
export interface Sent {
  field: string;
  value: unknown;
}

/** The canonical value of an alias's value (days → hours). */
function canonicalValue(alias: Alias, value: unknown): unknown {
  return alias.days && typeof value === "number" ? Math.round(value * 24) : value;
}

/** Every name `field` may arrive under in `body`, canonical first, then its aliases in table order; `prefix` for nested. */
export function sourcesOf(field: string, body: Record<string, unknown>, opts: { prefix?: string; nested?: boolean } = {}): Sent[] {
  const prefix = opts.prefix ?? "";
  const sources: Sent[] = [{ field: `${prefix}${field}`, value: body[field] }];
  for (const [name, alias] of ALIASES) {
    if (alias.of !== field || (opts.nested && alias.deprecated)) continue;
    sources.push({ field: `${prefix}${name}`, value: canonicalValue(alias, body[name]) });
  }
  return sources;
}

/** Whether the flag was sent under a name that always acts (the first release's `approval`). */
export function alwaysActs(field: string): boolean {
  return (FIELD_ALIASES as Record<string, Alias>)[field]?.alwaysActs === true;
}

/** Two spellings of one value agree: money by amount, instants by time, everything else exactly. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (typeof a === "string" && typeof b === "string") {
    if (isDecimalString(a) && isDecimalString(b)) return compareMoney(a, b) === 0;
    const ta = Date.parse(a);
    const tb = Date.parse(b);
    if (!Number.isNaN(ta) && !Number.isNaN(tb) && /T/.test(a) && /T/.test(b)) return ta === tb;
  }
  return a === b;
}

/** The warning for deprecated names found in `body`, naming the field to use instead; none when there are none. */
export function deprecationNotices(body: Record<string, unknown>): string[] {
  const used = ALIASES.filter(([name, alias]) => alias.deprecated && body[name] !== undefined);
  if (used.length === 0) return [];
  return [`first-release field names still work but are deprecated: ${used.map(([name, alias]) => `${name} → ${alias.of}`).join(", ")}`];
}

/** The deprecated names and what each stands for, for the API's documentation. */
export const DEPRECATED_ALIASES: readonly [string, string][] = ALIASES.filter(([, a]) => a.deprecated).map(([name, a]) => [name, a.of]);
