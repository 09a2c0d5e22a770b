import Decimal from "decimal.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  dueReminder,
  DEFAULT_REMINDER_OFFSETS_MS,
  outlook,
  parseReminderOffsets,
  spendRowsCsv,
  spendRows,
  spendTotals,
  ValidationError,
  type HistoryEvent,
} from "../src/index";
import { END, DAY, HOUR, makeBlock } from "./fixtures";

const at = (msBeforeEnd: number) => new Date(Date.parse(END) - msBeforeEnd);

describe("expiry reminders", () => {
  it("is due at the nearest offset crossed, keyed by end date and offset", () => {
    const b = makeBlock();
    expect(dueReminder(b, at(8 * DAY), DEFAULT_REMINDER_OFFSETS_MS)).toBeUndefined();
    expect(dueReminder(b, at(6 * DAY), DEFAULT_REMINDER_OFFSETS_MS)).toMatchObject({ offsetMs: 7 * DAY, key: `blk-1#${END}#7d` });
    // Registered 20 h before the end: the 24 h reminder, not a late 7-day one too.
    expect(dueReminder(b, at(20 * HOUR), DEFAULT_REMINDER_OFFSETS_MS)).toMatchObject({ offsetMs: 24 * HOUR, key: `blk-1#${END}#24h` });
    expect(dueReminder(b, at(HOUR), DEFAULT_REMINDER_OFFSETS_MS)).toMatchObject({ key: `blk-1#${END}#2h` });
    expect(dueReminder(b, at(-1), DEFAULT_REMINDER_OFFSETS_MS)).toBeUndefined();
  });

  it("reminds about blocks CBM will not extend, saying so", () => {
    expect(outlook(makeBlock({ status: "denied" }), at(DAY))).toMatchObject({ kind: "ends", text: expect.stringMatching(/denied/) });
    expect(outlook(makeBlock({}, { enabled: false }), at(DAY))).toMatchObject({ kind: "ends", text: expect.stringMatching(/paused/) });
    expect(outlook(makeBlock({ status: "extend-until-reached" }), at(DAY)).kind).toBe("ends");
    expect(dueReminder(makeBlock({ status: "denied" }), at(HOUR), DEFAULT_REMINDER_OFFSETS_MS)).toBeDefined();
  });

  it("parses configurable offsets and refuses nonsense", () => {
    expect(parseReminderOffsets("2h, 7d,24h")).toEqual([7 * DAY, 24 * HOUR, 2 * HOUR]);
    expect(parseReminderOffsets("off")).toEqual([]);
    expect(() => parseReminderOffsets("soon")).toThrow(ValidationError);
  });
});

function purchased(offeringId: string, fee: string, date: string): HistoryEvent {
  return {
    PK: "blk-1",
    at: date,
    id: `h-${offeringId}`,
    type: "purchased",
    actor: "scheduler",
    message: "",
    data: { extension: { offeringId, upfrontFee: fee, currencyCode: "USD", durationHours: 24, purchaseDate: date } },
  };
}

describe("spend report", () => {
  const block = makeBlock({ name: "=HYPERLINK()", tags: { team: "vision" } });

  it("books each purchase to its month, block and team, exactly, and leaves failed payments out", () => {
    const events: HistoryEvent[] = [
      purchased("a", "1510.27", "2031-05-05T09:00:00.000Z"),
      purchased("b", "0.01", "2031-05-31T23:59:59.000Z"),
      purchased("c", "2000.00", "2031-06-01T00:00:00.000Z"),
      {
        PK: "blk-1",
        at: "2031-06-02T00:00:00.000Z",
        id: "h-f",
        type: "payment-failed",
        actor: "scheduler",
        message: "",
        data: { offeringId: "c" },
      },
      {
        PK: "blk-1",
        at: "2031-05-06T00:00:00.000Z",
        id: "h-p",
        type: "payment-succeeded",
        actor: "scheduler",
        message: "",
        data: { offeringId: "a" },
      },
    ];
    const rows = spendRows(block, events);
    expect(rows.map((r) => [r.offeringId, r.status])).toEqual([
      ["a", "paid"],
      ["b", "pending"],
      ["c", "failed"],
    ]);
    expect(spendTotals(rows)).toEqual({
      byMonth: { "2031-05": { USD: "1510.28" } },
      byBlock: { "blk-1": { USD: "1510.28" } },
      byTeam: { vision: { USD: "1510.28" } },
    });
  });

  it("writes the CSV with fees as stored and spreadsheet formulas neutralised", () => {
    const csv = spendRowsCsv(spendRows(block, [purchased("a", "1510.270000", "2031-05-05T09:00:00.000Z")]));
    const [header, row] = csv.trim().split("\r\n");
    expect(header).toBe("month,purchasedAt,pk,name,team,capacityReservationId,offeringId,durationHours,upfrontFee,currency,status");
    expect(row).toContain(",'=HYPERLINK(),");
    expect(row).toContain(",1510.270000,USD,pending");
  });

  it("sums any fees exactly, as a decimal library does", () => {
    const fee = fc
      .tuple(fc.integer({ min: 0, max: 10_000_000 }), fc.integer({ min: 0, max: 99 }))
      .map(([u, c]) => `${u}.${String(c).padStart(2, "0")}`);
    fc.assert(
      fc.property(fc.array(fee, { minLength: 1, maxLength: 20 }), (fees) => {
        const rows = spendRows(
          block,
          fees.map((f, i) => purchased(`o${i}`, f, "2031-05-05T09:00:00.000Z")),
        );
        const expected = fees.reduce((s, f) => s.plus(f), new Decimal(0));
        expect(new Decimal(spendTotals(rows).byMonth["2031-05"]!.USD!).equals(expected)).toBe(true);
      }),
    );
  });
});
