import type { Block } from "./block";
import { ValidationError } from "./errors";
import { DAY_MS, HOUR_MS, MINUTE_MS, canonicalIso, toMs } from "./time";

/** Reminders before a block's EC2 end, whatever CBM will do about it: 7 days, 24 hours and 2 hours before. */
export const DEFAULT_REMINDER_OFFSETS_MS: readonly number[] = [7 * DAY_MS, 24 * HOUR_MS, 2 * HOUR_MS];

/** One reminder that is due: its offset, and the key that makes it go out once per end date and offset. */
export interface DueReminder {
  offsetMs: number;
  /** `<PK>#<end date>#<offset label>`: the same reminder for the same end date is never sent twice. */
  key: string;
  endDate: string;
}

/** "7d", "24h", "90m": the offset as the reminder's key and subject name it. */
export function offsetLabel(ms: number): string {
  if (ms % DAY_MS === 0 && ms >= 2 * DAY_MS) return `${ms / DAY_MS}d`;
  if (ms % HOUR_MS === 0) return `${ms / HOUR_MS}h`;
  return `${Math.round(ms / MINUTE_MS)}m`;
}

/**
 * The reminder due for `block` now, if any: the nearest offset already crossed. A block registered 20 h before its
 * end gets the 24 h reminder, not a late 7-day one as well; an extension moves the end date, and reminders start
 * over for the new one.
 */
export function dueReminder(block: Block, now: Date, offsetsMs: readonly number[]): DueReminder | undefined {
  if (!block.endDate || offsetsMs.length === 0) return undefined;
  const end = toMs(block.endDate);
  const t = now.getTime();
  if (t >= end) return undefined;
  const crossed = offsetsMs.filter((o) => t >= end - o);
  if (crossed.length === 0) return undefined;
  const offsetMs = Math.min(...crossed);
  const endDate = canonicalIso(block.endDate);
  return { offsetMs, endDate, key: `${block.PK}#${endDate}#${offsetLabel(offsetMs)}` };
}

/** Parses "7d,24h,2h" (d, h or m units; "off" or "" for none) into offsets in ms, largest first. */
export function parseReminderOffsets(text: string): number[] {
  const t = text.trim().toLowerCase();
  if (t === "off" || t === "") return [];
  const unit: Record<string, number> = { d: DAY_MS, h: HOUR_MS, m: MINUTE_MS };
  const out = t.split(",").map((part) => {
    const m = /^\s*(\d{1,4})\s*([dhm])\s*$/.exec(part);
    if (!m || Number(m[1]) === 0)
      throw new ValidationError([
        { field: "reminders", message: `'${part.trim()}' is not an offset such as 7d, 24h or 90m`, code: "invalid_format" },
      ]);
    return Number(m[1]) * unit[m[2]!]!;
  });
  return [...new Set(out)].sort((a, b) => b - a);
}
