import type { Block } from "./block";
import type { Decision } from "./decision";
import type { ExtensionOffering } from "./ec2-view";
import type { EngineSettings } from "./engine-types";
import { MINUTE_MS, isoAt, sameInstant, toMs } from "./time";

/**
 * Which approval notice is due for `window`, if any: the first, a reminder, the last call, or, with `voided`, one
 * saying why the approval held no longer covers the offering. Never one notice per tick: otherwise it waits.
 */
export function requestApproval(
  block: Block,
  window: string,
  offering: ExtensionOffering,
  nowMs: number,
  closesMs: number,
  settings: EngineSettings,
  voided?: string,
): Decision {
  const lastCallMs = closesMs - settings.lastCallBeforeMs;
  // Looking once just after the close lets the block move to window-closed instead of waiting for a reminder.
  const closeCheckMs = closesMs + MINUTE_MS;
  const req = sameInstant(block.approvalRequest?.window, window) ? block.approvalRequest! : undefined;
  const soonest = (...ms: number[]) => isoAt(Math.min(...ms));
  if (voided !== undefined) {
    // One notice at once saying what changed, whatever the reminder schedule; reminders follow from it.
    const pendingLastCall = req?.lastCallSent || nowMs >= lastCallMs ? Infinity : lastCallMs;
    return {
      kind: "request-approval",
      window,
      offering,
      notice: "terms-changed",
      voided,
      nextCheckAt: soonest(nowMs + settings.reminderIntervalMs, pendingLastCall, closeCheckMs),
    };
  }
  if (!req) {
    // A window that opens inside the last-call period gets one notice, the last call, rather than two in a row.
    const notice = nowMs >= lastCallMs ? "last-call" : "first";
    const next =
      notice === "first"
        ? soonest(nowMs + settings.reminderIntervalMs, lastCallMs, closeCheckMs)
        : soonest(nowMs + settings.reminderIntervalMs, closeCheckMs);
    return { kind: "request-approval", window, offering, notice, nextCheckAt: next };
  }
  if (!req.lastCallSent && nowMs >= lastCallMs) {
    return {
      kind: "request-approval",
      window,
      offering,
      notice: "last-call",
      nextCheckAt: soonest(nowMs + settings.reminderIntervalMs, closeCheckMs),
    };
  }
  const pendingLastCall = req.lastCallSent ? Infinity : lastCallMs;
  const reminderMs = toMs(req.lastSentAt) + settings.reminderIntervalMs;
  if (nowMs >= reminderMs) {
    return {
      kind: "request-approval",
      window,
      offering,
      notice: "reminder",
      nextCheckAt: soonest(nowMs + settings.reminderIntervalMs, pendingLastCall, closeCheckMs),
    };
  }
  // Never one notice per tick: sleep until the next reminder or the last call, whichever is first.
  return { kind: "wait", until: soonest(reminderMs, pendingLastCall, closeCheckMs), reason: "approval-pending" };
}
