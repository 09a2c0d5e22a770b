import { ValidationError } from "./errors";

// Exact BigInt fixed-point instead of the decimal library we used to depend on, for two reasons:
// - it rounded to 20 significant digits by default, and DECIMAL_PATTERN admits 22 (16 integer + 6 fraction),
//   so adding "0.000001" to "1234567890123456.123456" gave "1234567890123456.1235": money silently rounded.
//   A BigInt of the amount scaled to the longer fraction is exact at any length.
// - it was 33 KB of every Lambda bundle, and bundle size is a tracked target.

/** A non-negative decimal amount as EC2 writes `UpfrontFee`: digits, optional fraction. Never a float. */
export const DECIMAL_PATTERN = /^(0|[1-9]\d{0,15})(\.\d{1,6})?$/;

/** Whether `s` is an amount the schemas accept (see DECIMAL_PATTERN). */
export function isDecimalString(s: string): boolean {
  return DECIMAL_PATTERN.test(s);
}

/**
 * What the arithmetic accepts: wider than DECIMAL_PATTERN, since a difference may be negative and is fed back in,
 * and any plain notation the old library read ("+1", "5.", ".5"). No exponent, NaN or Infinity: money never has those.
 */
const PLAIN_DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?$/;

/** An amount as `units / 10^scale`, exactly. */
interface Fixed {
  units: bigint;
  scale: number;
}

function parse(s: string): Fixed {
  const m = PLAIN_DECIMAL.exec(s);
  const int = m?.[2] ?? "";
  const frac = m?.[3] ?? "";
  // Amounts are validated against DECIMAL_PATTERN at every edge, so garbage here means a caller skipped that.
  if (!m || int.length + frac.length === 0) {
    throw new ValidationError([{ field: "", message: `'${s}' is not a decimal amount`, code: "invalid_format" }]);
  }
  const magnitude = BigInt(int + frac);
  return { units: m[1] === "-" ? -magnitude : magnitude, scale: frac.length };
}

/** Both amounts on the longer of their two scales, so their units can be compared and added directly. */
function aligned(a: string, b: string): [bigint, bigint, number] {
  const x = parse(a);
  const y = parse(b);
  const scale = Math.max(x.scale, y.scale);
  return [x.units * 10n ** BigInt(scale - x.scale), y.units * 10n ** BigInt(scale - y.scale), scale];
}

/** Plain notation as the old library's `toFixed()` wrote it, so stored amounts keep their format: no trailing fractional zeros, no trailing dot, never "-0". */
function format(units: bigint, scale: number): string {
  const digits = (units < 0n ? -units : units).toString().padStart(scale + 1, "0");
  const int = digits.slice(0, digits.length - scale);
  const frac = digits.slice(digits.length - scale).replace(/0+$/, "");
  return `${units < 0n ? "-" : ""}${int}${frac ? `.${frac}` : ""}`;
}

/** -1, 0 or 1 as `a` is less than, equal to or greater than `b`, compared exactly. */
export function compareMoney(a: string, b: string): -1 | 0 | 1 {
  const [x, y] = aligned(a, b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** `a + b`, exactly, in plain notation. */
export function addMoney(a: string, b: string): string {
  const [x, y, scale] = aligned(a, b);
  return format(x + y, scale);
}

/** `a - b`, exactly, in plain notation; negative when `b` is larger (callers clamp where they must). */
export function subtractMoney(a: string, b: string): string {
  const [x, y, scale] = aligned(a, b);
  return format(x - y, scale);
}

/** Whether `a` is at most `b`, compared exactly. */
export function moneyLte(a: string, b: string): boolean {
  return compareMoney(a, b) <= 0;
}
