import type { Block, BlockStatus } from "./block";
import { durationText } from "./ladder";
import { DAY_MS, HOUR_MS, MINUTE_MS, isoAt, sameInstant, toMs } from "./time";
import { quoteTerms, verdictWindow } from "./verdicts";

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

/** The actor of CBM's own idle denials (see the idle skip): told apart from a person's denial in the words. */
const IDLE_ACTOR = "cbm:idle";

/** The window the next verdict or purchase is about, or undefined while it is not certain (no end date, intent). */
function upcomingWindow(block: Block): string | undefined {
  try {
    return verdictWindow(block);
  } catch {
    return undefined;
  }
}

/**
 * A verdict already given for the upcoming window, which the status may not show yet (a denial or an approval given
 * before the window opened leaves the status `waiting`): it decides what CBM does, so it comes first, with who gave
 * it and how to change it.
 */
function verdictOutlook(block: Block): Outlook | undefined {
  const window = upcomingWindow(block);
  if (!window) return undefined;
  const d = standingDenial(block);
  if (d) {
    const who =
      d.by === IDLE_ACTOR
        ? `skipped by CBM because the block is idle (${d.comment ?? "policy skipExtensionWhenIdleHours"})`
        : `denied by ${d.by}`;
    return {
      kind: "ends",
      text: `Will not extend the window ending ${window}: ${who}. To extend anyway, approve it (Approve on the block page, or cbm approve ${block.PK} --next).`,
    };
  }
  const a = block.approval;
  if (a && sameInstant(a.window, window) && block.status !== "approved") {
    return {
      kind: "extends",
      text: `Approved by ${a.by} for the window ending ${window}: CBM buys when the window opens (${block.policy.lookaheadHours} h before the end). To stop it, deny it (cbm deny ${block.PK} --next).`,
    };
  }
  return undefined;
}

/** The denial of the upcoming window, if one stands: a person may override it by approving that window. */
export function standingDenial(block: Block): Block["denial"] {
  const window = upcomingWindow(block);
  return window && block.denial && sameInstant(block.denial.window, window) ? block.denial : undefined;
}

/** How a person changes an `ends` outcome, per status; absent when nothing in CBM can change it. */
const ENDS_CHANGE: Partial<Record<BlockStatus, string>> = {
  "budget-exhausted": "raise the budget (cbm update PK --budget AMOUNT)",
  "extend-until-reached": "move extendUntil later (cbm update PK --extend-until DATE)",
  "max-extensions-reached": "raise maxExtensions (cbm update PK --max-extensions N)",
  "not-owned": "ask the reservation's owner account to extend it",
};

/** The outlook of `block` as stored (its status is the scheduler's last decision). */
export function outlook(block: Block, now: Date): Outlook {
  const p = block.policy;
  if (!p.enabled)
    return {
      kind: "ends",
      text: `Will not extend: the policy is paused (CBM watches but neither asks nor buys). To resume: Resume on the block page, or cbm update ${block.PK} --resume.`,
    };
  const decided = verdictOutlook(block);
  if (decided) return decided;
  const ends = ENDS[block.status];
  if (ends) {
    const change = ENDS_CHANGE[block.status];
    return { kind: "ends", text: `Will not extend: ${ends}.${change ? ` To change it: ${change.replace("PK", block.PK)}.` : ""}` };
  }
  switch (block.status) {
    case "awaiting-approval": {
      const q = quoteTerms(block);
      const quote = q ? ` by ${durationText(q.durationHours)} for ${q.upfrontFee} ${q.currencyCode}` : "";
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
        text: `When the window opens (${p.lookaheadHours} h before the end), CBM ${how} ${p.requireApproval ? "to extend by" : "an extension of"} ${durationText(p.extendByDays * 24)}${when}.`,
      };
    }
  }
}

/**
 * "has not started yet (it starts at …)" for a block whose start is still ahead (one a capacity request just bought),
 * else undefined: notices about its end must say so, or "ends in 28 h" reads as an emergency.
 */
export function notStartedText(block: Pick<Block, "startDate">, now: Date): string | undefined {
  if (!block.startDate || toMs(block.startDate) <= now.getTime()) return undefined;
  return `has not started yet (it starts at ${isoAt(toMs(block.startDate))}, in ${timeLeftText(block.startDate, now)})`;
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

/** Statuses after which nothing will happen to the block any more: listed last, whatever their end. */
const FINISHED: ReadonlySet<BlockStatus> = new Set<BlockStatus>(["expired", "not-found"]);

/** EC2 takes no extension purchase in the last hour before a block's end. */
const LAST_PURCHASE_MS = HOUR_MS;

/**
 * When the next thing that cannot be undone happens to `block`: for a block that will not extend, or one still
 * waiting for a person or an offering, EC2 terminating its instances (an hour earlier for one that can still be
 * saved: the last moment to buy); for one CBM buys on its own, the purchase itself when its window opens (money).
 * Undefined when nothing will happen (finished, or no end known).
 */
export function nextIrreversibleAt(block: Block, now: Date): number | undefined {
  if (FINISHED.has(block.status) || !block.endDate) return undefined;
  const end = toMs(block.endDate);
  const o = outlook(block, now);
  const termination = end - 30 * MINUTE_MS;
  if (o.kind === "ends") return termination;
  if (o.kind === "extends" && !block.policy.requireApproval && !block.pendingExtension) {
    return Math.max(now.getTime(), end - block.policy.lookaheadHours * HOUR_MS);
  }
  return block.pendingExtension ? termination : end - LAST_PURCHASE_MS;
}

/**
 * Sort key for "most urgent first", the one order of the console and `cbm list`: the time to the next irreversible
 * event (see nextIrreversibleAt), finished blocks and blocks with no known end last. The first element groups.
 */
export function urgencyRank(block: Block, now: Date): [number, number] {
  const at = nextIrreversibleAt(block, now);
  return at === undefined ? [1, block.endDate ? toMs(block.endDate) : Number.MAX_SAFE_INTEGER] : [0, at];
}

/** Comparator over urgencyRank, ties by PK: sort blocks with it wherever blocks are listed for people. */
export function byUrgency(now: Date): (a: Block, b: Block) => number {
  return (a, b) => {
    const [ga, ea] = urgencyRank(a, now);
    const [gb, eb] = urgencyRank(b, now);
    return ga - gb || ea - eb || a.PK.localeCompare(b.PK);
  };
}
