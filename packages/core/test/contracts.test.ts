import { describe, expect, it } from "vitest";
import {
  AlreadyExistsError,
  AmbiguousOutcomeError,
  CbmError,
  ConfigError,
  InfrastructureError,
  InvalidStateError,
  NotFoundError,
  PurchaseInFlightError,
  RejectedError,
  ThrottledError,
  ValidationError,
  VersionConflictError,
  addMoney,
  compareMoney,
  durationText,
  isLadderHours,
  isOnLadder,
  ladderCeil,
  moneyLte,
  shorterLadderDays,
  subtractMoney,
} from "../src/index";

describe("errors", () => {
  it("carry stable codes and readable messages", () => {
    const cases: Array<[CbmError, string, RegExp]> = [
      [
        new ValidationError([
          { field: "a", message: "bad", code: "x" },
          { field: "", message: "whole", code: "y" },
        ]),
        "VALIDATION_FAILED",
        /a: bad; whole/,
      ],
      [new NotFoundError("p"), "NOT_FOUND", /'p'/],
      [new AlreadyExistsError("p"), "ALREADY_EXISTS", /already exists/],
      [new VersionConflictError("p", 3), "VERSION_CONFLICT", /expected version 3/],
      [new VersionConflictError("p"), "VERSION_CONFLICT", /someone else; re-read/],
      [new PurchaseInFlightError("p"), "PURCHASE_IN_FLIGHT", /in flight/],
      [new InvalidStateError("nothing to approve"), "INVALID_STATE", /nothing/],
      [new InfrastructureError("down", "X"), "INFRASTRUCTURE_ERROR", /down/],
      [new ThrottledError("slow", "RequestLimitExceeded"), "THROTTLED", /slow/],
      [new AmbiguousOutcomeError("timeout"), "AMBIGUOUS_OUTCOME", /timeout/],
      [new RejectedError("no"), "REJECTED", /no/],
      [new ConfigError("missing TABLE"), "CONFIG_INVALID", /TABLE/],
    ];
    for (const [err, code, msg] of cases) {
      expect(err).toBeInstanceOf(CbmError);
      expect(err.code).toBe(code);
      expect(err.message).toMatch(msg);
      expect(err.name).toBe(err.constructor.name);
    }
    expect(new ThrottledError("x", "C", { cause: 1 })).toMatchObject({ providerCode: "C", cause: 1 });
  });
});

describe("money and ladder", () => {
  it("computes exactly with decimals", () => {
    expect(addMoney("0.1", "0.2")).toBe("0.3");
    expect(subtractMoney("1000", "0.01")).toBe("999.99");
    expect(compareMoney("10", "9.999999")).toBe(1);
    expect(moneyLte("1.0", "1")).toBe(true);
  });

  it("knows EC2's ladder", () => {
    expect(isOnLadder(14) && isOnLadder(21) && !isOnLadder(15)).toBe(true);
    expect(isLadderHours(168) && !isLadderHours(170) && !isLadderHours(24.5)).toBe(true);
    expect(ladderCeil(15)).toBe(21);
    expect(ladderCeil(500)).toBe(182);
    expect(shorterLadderDays(3)).toEqual([2, 1]);
  });
});

describe("durationText", () => {
  it("says durations the way people do", () => {
    expect(durationText(24)).toBe("1 day");
    expect(durationText(168)).toBe("7 days");
    expect(durationText(30)).toBe("30 h");
  });
});
