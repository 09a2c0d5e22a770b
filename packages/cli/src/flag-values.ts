import { isDecimalString, isLadderHours, isOnLadder } from "@cbm/core";
import type { Values } from "./command";
import { UsageError } from "./errors";

/*
 * Flag values checked before anything is sent, each refusal naming the rule and the valid range (exit 2), so a
 * person sees "--count must be 1 to 64", not a schema message from the API with exit 1.
 */

const LADDER = "EC2 sells 1–14 days, then 21, 28 … 182 (weekly)";

/** A whole number within [min, max], named by its rule when it is not. */
export function wholeInRange(values: Values, flag: string, min: number, max: number, what: string): number | undefined {
  const raw = values[flag] as string | undefined;
  if (raw === undefined) return undefined;
  const n = /^\d{1,9}$/.test(raw) ? Number(raw) : NaN;
  if (!(n >= min && n <= max)) throw new UsageError(`--${flag} must be a whole number from ${min} to ${max} (${what}), not '${raw}'`);
  return n;
}

/** Days on EC2's duration ladder. */
export function ladderDays(values: Values, flag: string): number | undefined {
  const n = wholeInRange(values, flag, 1, 182, LADDER);
  if (n !== undefined && !isOnLadder(n)) throw new UsageError(`--${flag} ${n} is not on EC2's duration ladder: ${LADDER}`);
  return n;
}

/** Hours that are whole ladder days. */
export function ladderHours(values: Values, flag: string): number | undefined {
  const n = wholeInRange(values, flag, 24, 182 * 24, `whole days on EC2's ladder, in hours: ${LADDER}`);
  if (n !== undefined && !isLadderHours(n)) throw new UsageError(`--${flag} ${n} is not whole days on EC2's ladder (${LADDER}), in hours`);
  return n;
}

/**
 * A date or date-time: ISO-8601 with a zone, or a plain date (2026-12-01), read as 00:00 UTC that day. Returned as
 * the canonical ISO date-time the API takes.
 */
export function dateFlag(values: Values, flag: string): string | undefined {
  const raw = values[flag] as string | undefined;
  if (raw === undefined) return undefined;
  const plain = /^\d{4}-\d{2}-\d{2}$/.test(raw);
  const full = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(raw);
  const t = Date.parse(plain ? `${raw}T00:00:00Z` : raw);
  if ((!plain && !full) || Number.isNaN(t)) {
    throw new UsageError(
      `--${flag} must be a date (2026-12-01, read as 00:00 UTC) or a date-time with a zone (2026-12-01T11:30:00Z), not '${raw}'`,
    );
  }
  return new Date(t).toISOString();
}

/** A positive decimal amount (money is exact decimal text). */
export function amountFlag(values: Values, flag: string): string | undefined {
  const raw = values[flag] as string | undefined;
  if (raw === undefined) return undefined;
  if (!isDecimalString(raw) || !/[1-9]/.test(raw)) {
    throw new UsageError(`--${flag} must be an amount greater than 0, such as 1234.50, not '${raw}'`);
  }
  return raw;
}

/**
 * Joins `--flag -5` into `--flag=-5` for flags that take a value, so a negative value reaches the flag's own rule
 * instead of Node's "argument is ambiguous".
 */
export function joinDashValues(argv: readonly string[], takesValue: (flag: string) => boolean): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = argv[i + 1];
    if (/^--[a-z][\w-]*$/.test(a) && takesValue(a.slice(2)) && next !== undefined && /^-\d/.test(next)) {
      out.push(`${a}=${next}`);
      i++;
    } else out.push(a);
  }
  return out;
}
