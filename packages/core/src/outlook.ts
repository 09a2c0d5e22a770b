import type { Block, BlockStatus } from "./block";
import { durationText } from "./ladder";
import { DAY_MS, HOUR_MS, MINUTE_MS, isoAt, toMs } from "./time";

/**
 * What CBM will do about a block's end, in one word and one sentence, for people: the console's list, the block
 * page and the expiry reminders. `extends`: CBM buys (or bought) the extension on its own; `needs-you`: it buys only
 * after a person approves; `retrying`: it keeps trying while the window is open; `ends`: it will not extend, so the
 * block ends at its current end date.
 */
export interface Outlook {
  kind: "extends" | "needs-you" | "retrying" | "ends";
  text: string;
}

const ENDS: Partial<Record<BlockStatus, string>> = {
  "budget-exhausted": "the budget is spent",
  "extend-until-reached": "its extendUntil date is reached",
  "max-extensions-reached": "its maxExtensions is reached",
  denied: "a person denied this window",
  "payment-failed": "the extension's payment failed",
  "window-closed": "the window to buy an extension has closed",
  paused: "the policy is paused",
  expired: "it has expired",
  "not-found": "EC2 does not know the reservation",
  "not-owned": "it belongs to another account or another CBM stage, which alone may extend it",
  "not-extendable": "EC2 does not allow extending it in its current state",
};

/** The outlook of `block` as stored (its status is the scheduler's last decision). */
export function outlook(block: Block, now: Date): Outlook {
  const p = block.policy;
  if (!p.enabled) return { kind: "ends", text: "Will not extend: the policy is paused (CBM watches but neither asks nor buys)." };
  const ends = ENDS[block.status];
  if (ends) return { kind: "ends", text: `Will not extend: ${ends}.` };
  switch (block.status) {
    case "awaiting-approval": {
      const q = block.approvalRequest;
      const quote = q?.upfrontFee
        ? ` by ${durationText(q.durationHours ?? p.extendByDays * 24)} for ${q.upfrontFee} ${q.currencyCode ?? p.currency}`
        : "";
      return { kind: "needs-you", text: `Extends${quote} once a person approves.` };
    }
    case "approved":
      return { kind: "extends", text: "Approved: buys the extension on the next scheduler tick." };
    case "purchasing":
      return { kind: "extends", text: "A purchase is being settled with EC2." };
    case "payment-pending":
      return { kind: "extends", text: "Extension bought; EC2 is collecting the payment (the end date moves when it succeeds)." };
    case "no-offering":
      return { kind: "retrying", text: "EC2 offers no extension right now; CBM keeps trying while the window is open." };
    case "price-above-cap":
      return { kind: "retrying", text: "The offered price is above maxUpfrontFee; CBM keeps checking while the window is open." };
    case "throttled":
    case "error":
      return { kind: "retrying", text: "The last check failed; CBM retries with backoff." };
    default: {
      const when = block.nextCheckAt && toMs(block.nextCheckAt) > now.getTime() ? ` (next look ${block.nextCheckAt})` : "";
      const how = p.requireApproval ? "asks for approval" : "buys";
      return {
        kind: p.requireApproval ? "needs-you" : "extends",
        text: `When the window opens (${p.lookaheadHours} h before the end), CBM ${how} ${durationText(p.extendByDays * 24)}${when}.`,
      };
    }
  }
}

/** Time left until `endIso`, short: "3 d 4 h", "5 h 20 min", "ended". */
export function timeLeftText(endIso: string | undefined | null, now: Date): string {
  if (!endIso) return "unknown";
  const ms = toMs(endIso) - now.getTime();
  if (ms <= 0) return "ended";
  const h = Math.floor(ms / HOUR_MS);
  const m = Math.floor((ms % HOUR_MS) / MINUTE_MS);
  return h >= 48 ? `${Math.floor(ms / DAY_MS)} d ${h % 24} h` : `${h} h ${m} min`;
}

/** EC2 starts terminating a block's instances 30 minutes before its end (60 for UltraServers). */
export function terminationStartsAt(endIso: string): string {
  return isoAt(toMs(endIso) - 30 * MINUTE_MS);
}

/**
 * Sort key for "most urgent first": blocks waiting for a person first, then those that will end without an
 * extension, then by time left. Blocks with no known end come last.
 */
export function urgencyRank(block: Block, now: Date): [number, number] {
  const o = outlook(block, now);
  const group =
    block.status === "awaiting-approval"
      ? 0
      : o.kind === "ends" && block.status !== "expired"
        ? 1
        : o.kind === "retrying"
          ? 2
          : block.status === "expired"
            ? 4
            : 3;
  const end = block.endDate ? toMs(block.endDate) : Number.MAX_SAFE_INTEGER;
  return [group, end];
}
