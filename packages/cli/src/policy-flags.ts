import { CURRENCY_PATTERN, isOnLadder, isDecimalString } from "@cbm/core";
import type { PolicyInput } from "./client";
import type { Options, Values } from "./command";
import { UsageError } from "./errors";

/** Policy flags shared by add, update and import. */
export const POLICY_OPTIONS: Options = {
  "extend-by-days": { type: "string" },
  "lookahead-hours": { type: "string" },
  "require-approval": { type: "boolean" },
  "max-fee": { type: "string" },
  budget: { type: "string" },
  "extend-until": { type: "string" },
  "max-extensions": { type: "string" },
  "allow-shorter": { type: "boolean" },
  currency: { type: "string" },
  pause: { type: "boolean" },
  resume: { type: "boolean" },
};

export const POLICY_HELP = `Policy flags:
  --extend-by-days N          length of each extension, on EC2's ladder (1–14, 21…182 by 7); default 7
  --lookahead-hours N         act this long before the end date; default 48
  --require-approval          a person approves every extension (default)
  --no-require-approval       extend without asking
  --max-fee AMOUNT            highest upfront fee of one extension, e.g. 25000.00 (update: "none" clears)
  --budget AMOUNT             total spend cap for the block (update: "none" clears)
  --extend-until DATE         stop extending once the end reaches DATE (ISO 8601; update: "none" clears)
  --max-extensions N          stop after N extensions (update: "none" clears)
  --allow-shorter             fall back to shorter durations when the wanted one is not offered
  --currency CODE             currency of --max-fee and --budget; default USD
  --pause / --resume          stop or restart acting on the block`;

const CLEAR = "none";

function int(v: string, flag: string, min: number): number {
  if (!/^\d+$/.test(v) || Number(v) < min) throw new UsageError(`--${flag} must be a whole number ≥ ${min}, not '${v}'`);
  return Number(v);
}

function money(v: string, flag: string): string {
  if (!isDecimalString(v)) throw new UsageError(`--${flag} must be a decimal amount such as 1234.50, not '${v}'`);
  return v;
}

function date(v: string, flag: string): string {
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw new UsageError(`--${flag} must be a date such as 2026-01-31 or 2026-01-31T11:30:00Z, not '${v}'`);
  return new Date(t).toISOString();
}

/**
 * The policy fields given on the command line; `null` marks a field to clear ("none").
 * Validated here so that an obvious mistake is a usage error (exit 2) before any request is sent.
 */
export function policyFromFlags(values: Values, opts: { allowClear: boolean }): Record<string, unknown> {
  const p: Record<string, unknown> = {};
  const s = (k: string) => (typeof values[k] === "string" ? (values[k] as string) : undefined);
  const clearable = (k: string, parse: (v: string) => unknown) => {
    const v = s(k);
    if (v === undefined) return undefined;
    if (v.toLowerCase() === CLEAR) {
      if (!opts.allowClear) throw new UsageError(`--${k} none only makes sense with update`);
      return null;
    }
    return parse(v);
  };
  const ebd = s("extend-by-days");
  if (ebd !== undefined) {
    const n = int(ebd, "extend-by-days", 1);
    if (!isOnLadder(n)) throw new UsageError(`--extend-by-days ${n} is not on EC2's ladder: 1–14 days, or a multiple of 7 from 21 to 182`);
    p.extendByDays = n;
  }
  const lh = s("lookahead-hours");
  if (lh !== undefined) p.lookaheadHours = int(lh, "lookahead-hours", 2);
  if (typeof values["require-approval"] === "boolean") p.requireApproval = values["require-approval"];
  if (typeof values["allow-shorter"] === "boolean") p.allowShorterFallback = values["allow-shorter"];
  const fee = clearable("max-fee", (v) => money(v, "max-fee"));
  if (fee !== undefined) p.maxUpfrontFee = fee;
  const budget = clearable("budget", (v) => money(v, "budget"));
  if (budget !== undefined) p.budget = budget;
  const until = clearable("extend-until", (v) => date(v, "extend-until"));
  if (until !== undefined) p.extendUntil = until;
  const maxExt = clearable("max-extensions", (v) => int(v, "max-extensions", 0));
  if (maxExt !== undefined) p.maxExtensions = maxExt;
  const cur = s("currency");
  if (cur !== undefined) {
    if (!CURRENCY_PATTERN.test(cur)) throw new UsageError(`--currency must be a 3-letter code such as USD, not '${cur}'`);
    p.currency = cur;
  }
  if (values.pause && values.resume) throw new UsageError("--pause and --resume cannot be used together");
  if (values.pause) p.enabled = false;
  if (values.resume) p.enabled = true;
  return p;
}

/** For add/import: no clearing, only the fields given. */
export function policyInput(values: Values): PolicyInput | undefined {
  const p = policyFromFlags(values, { allowClear: false });
  return Object.keys(p).length ? (p as PolicyInput) : undefined;
}
