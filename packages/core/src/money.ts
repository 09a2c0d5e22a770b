import Decimal from "decimal.js";

/** A non-negative decimal amount as EC2 writes `UpfrontFee`: digits, optional fraction. Never a float. */
export const DECIMAL_PATTERN = /^(0|[1-9]\d{0,15})(\.\d{1,6})?$/;

export function isDecimalString(s: string): boolean {
  return DECIMAL_PATTERN.test(s);
}

/** -1, 0 or 1 as `a` is less than, equal to or greater than `b`, compared exactly. */
export function compareMoney(a: string, b: string): -1 | 0 | 1 {
  return new Decimal(a).comparedTo(new Decimal(b)) as -1 | 0 | 1;
}

export function addMoney(a: string, b: string): string {
  return new Decimal(a).plus(new Decimal(b)).toFixed();
}

export function subtractMoney(a: string, b: string): string {
  return new Decimal(a).minus(new Decimal(b)).toFixed();
}

export function moneyLte(a: string, b: string): boolean {
  return compareMoney(a, b) <= 0;
}
