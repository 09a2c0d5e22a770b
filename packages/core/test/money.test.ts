import fc from "fast-check";
import { describe, expect, it } from "vitest";
import Decimal from "decimal.js";
import { DECIMAL_PATTERN, ValidationError, addMoney, compareMoney, isDecimalString, moneyLte, subtractMoney } from "../src/index";

// The oracle needs more digits than any generated operand or result, else it would round like the old code did.
const Exact = Decimal.clone({ precision: 100 });
const RUNS = 2000;

/** What decimal.js's toFixed() wrote: plain notation, no trailing fractional zeros or dot, never "-0". */
const CANONICAL = /^(-?[1-9]\d*(\.\d*[1-9])?|-?0\.\d*[1-9]|0)$/;

const digits = (min: number, max: number) => fc.string({ unit: fc.constantFrom(..."0123456789"), minLength: min, maxLength: max });
const intPart = fc.oneof(
  fc.constant("0"),
  digits(1, 3), // leading zeros
  fc.tuple(fc.constantFrom(..."123456789"), digits(0, 24)).map(([d, rest]) => d + rest),
);
const fracPart = fc.oneof(
  fc.constant(""),
  digits(1, 12),
  fc.tuple(digits(0, 6), fc.integer({ min: 1, max: 4 })).map(([d, zeros]) => d + "0".repeat(zeros)),
);
/** Plain decimal strings as callers pass them: schema amounts, and differences (possibly negative) fed back in. */
const decimal = fc.oneof(
  fc.stringMatching(DECIMAL_PATTERN),
  fc.tuple(fc.constantFrom("", "", "-"), intPart, fracPart).map(([sign, i, f]) => `${sign}${i}${f ? `.${f}` : ""}`),
  fc.constantFrom("0", "-0", "0.000", "-0.0", "1", "-1.5", "1234567890123456.123456", "9999999999999999.999999"),
);

describe("money", () => {
  it("compares, adds and subtracts exactly like decimal.js at 100 digits", () => {
    fc.assert(
      fc.property(decimal, decimal, (a, b) => {
        const x = new Exact(a);
        expect(compareMoney(a, b)).toBe(x.comparedTo(b));
        expect(moneyLte(a, b)).toBe(x.lte(b));
        const sum = addMoney(a, b);
        const difference = subtractMoney(a, b);
        expect(sum).toBe(x.plus(b).toFixed());
        expect(difference).toBe(x.minus(b).toFixed());
        expect(sum).toMatch(CANONICAL);
        expect(difference).toMatch(CANONICAL);
      }),
      { numRuns: RUNS },
    );
  });

  it("undoes a subtraction by adding back, even through negative amounts", () => {
    fc.assert(
      fc.property(decimal, decimal, (a, b) => {
        expect(compareMoney(addMoney(subtractMoney(a, b), b), a)).toBe(0);
      }),
      { numRuns: RUNS },
    );
  });

  it("keeps all 22 digits the schema allows (decimal.js rounded them to 20)", () => {
    expect(addMoney("1234567890123456.123456", "0.000001")).toBe("1234567890123456.123457");
    expect(subtractMoney("1234567890123456.123456", "0.000001")).toBe("1234567890123456.123455");
    expect(compareMoney("1234567890123456.123457", "1234567890123456.123456")).toBe(1);
    expect(addMoney("9999999999999999.999999", "0.000001")).toBe("10000000000000000");
  });

  it("writes results as decimal.js toFixed() did", () => {
    expect(addMoney("1.50", "2.50")).toBe("4");
    expect(addMoney("0.10", "0")).toBe("0.1");
    expect(subtractMoney("1.5", "1.5")).toBe("0");
    expect(subtractMoney("-0", "0")).toBe("0");
    expect(subtractMoney("1", "2.5")).toBe("-1.5");
    expect(subtractMoney("0.25", "1")).toBe("-0.75");
    expect(addMoney("-1.5", "0.25")).toBe("-1.25");
    expect(addMoney("007", ".5")).toBe("7.5");
    expect(addMoney("+1", "5.")).toBe("6");
  });

  it("rejects anything that is not a plain decimal, as decimal.js threw on garbage", () => {
    for (const bad of ["", " 1", "1 ", "abc", "-", "+", ".", "1.2.3", "--1", "1e3", "NaN", "Infinity", "0x10", "1_0", "1,5"]) {
      expect(() => addMoney(bad, "1"), bad).toThrow(ValidationError);
      expect(() => compareMoney("1", bad), bad).toThrow(/is not a decimal amount/);
    }
  });

  it("accepts only the schema's amounts as decimal strings", () => {
    expect(isDecimalString("1234567890123456.123456")).toBe(true);
    expect(isDecimalString("0")).toBe(true);
    for (const bad of ["-1", "01", "1.", ".5", "1.1234567", "12345678901234567", "1e3"]) expect(isDecimalString(bad), bad).toBe(false);
  });
});
