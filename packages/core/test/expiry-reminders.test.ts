import { describe, expect, it } from "vitest";
import { dueReminder, DEFAULT_REMINDER_OFFSETS_MS, outlook, parseReminderOffsets, ValidationError } from "../src/index";
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
