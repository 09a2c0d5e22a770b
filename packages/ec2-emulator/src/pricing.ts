import { ControlError } from "./errors";

/** Hourly rate per instance in USD, as decimal strings: money never goes through floating point. */
const DEFAULT_RATES: Record<string, string> = {
  "p5.48xlarge": "31.464",
  "p5e.48xlarge": "34.608",
  "p5en.48xlarge": "36.184",
  "p5.4xlarge": "3.933",
  "p4d.24xlarge": "11.5702",
  "p4de.24xlarge": "14.4627",
  "p6-b200.48xlarge": "44.424",
  "trn1.32xlarge": "9.592",
  "trn2.48xlarge": "23.9",
  "trn2.3xlarge": "2.9875",
};
const FALLBACK_RATE = "10";

const DECIMAL = /^\d{1,9}(\.\d{1,6})?$/;

/** Deterministic prices: hourly rate × instance count × hours, rounded half-up to cents. */
export class Pricing {
  private readonly overrides = new Map<string, string>();

  setPrice(instanceType: string, hourlyRate: string): void {
    if (typeof hourlyRate !== "string" || !DECIMAL.test(hourlyRate)) {
      throw new ControlError("InvalidPrice", `hourlyRate must be a decimal string like "98.32", got ${JSON.stringify(hourlyRate)}`);
    }
    this.overrides.set(instanceType, hourlyRate);
  }

  hourlyRate(instanceType: string): string {
    return this.overrides.get(instanceType) ?? DEFAULT_RATES[instanceType] ?? FALLBACK_RATE;
  }

  /** The upfront fee as a decimal string with two decimals, e.g. "3010.56". */
  upfrontFee(instanceType: string, instanceCount: number, hours: number): string {
    const [whole = "0", frac = ""] = this.hourlyRate(instanceType).split(".");
    const scale = 10n ** BigInt(frac.length);
    const rateUnits = BigInt(whole) * scale + BigInt(frac || "0");
    const totalUnits = rateUnits * BigInt(instanceCount) * BigInt(hours) * 100n;
    const cents = (totalUnits * 2n + scale) / (2n * scale); // round half-up
    return formatCents(cents);
  }

  /** The rates set with setPrice, to save and restore them. */
  overridden(): { instanceType: string; hourlyRate: string }[] {
    return [...this.overrides].map(([instanceType, hourlyRate]) => ({ instanceType, hourlyRate }));
  }

  reset(): void {
    this.overrides.clear();
  }
}

export function formatCents(cents: bigint): string {
  const s = cents.toString().padStart(3, "0");
  return `${s.slice(0, -2)}.${s.slice(-2)}`;
}
