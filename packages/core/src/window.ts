import type { EngineSettings } from "./engine-types";
import type { ExtensionPolicy } from "./policy";
import { HOUR_MS, DAY_MS, isoAt, toMs } from "./time";

/** EC2 sells an extension from 56 days before the current end (reference §2.3). */
export const EC2_WINDOW_OPENS_BEFORE_MS = 56 * DAY_MS;
/** EC2 stops selling an extension 1 hour before the current end (reference §2.3); no setting may go past it. */
export const EC2_WINDOW_CLOSES_BEFORE_MS = HOUR_MS;

/** The extension window of one EC2 end date: when EC2 sells, and the narrower part in which CBM acts. */
export interface ExtensionWindow {
  /** The reservation's current EC2 end date, canonical ISO: it identifies the window. */
  window: string;
  /** CBM starts acting here: max(end − lookahead, end − windowOpensBefore). */
  opensAt: string;
  /** CBM stops buying after this: end − max(windowClosesBefore, 1 h). */
  closesAt: string;
  /** EC2 starts selling here (end − windowOpensBefore, 56 days by default). */
  ec2OpensAt: string;
  /** EC2 stops selling here (end − 1 h). */
  ec2ClosesAt: string;
}

/** Computes the window CBM may buy in for `endDate`; never wider than EC2's [end − 56 d, end − 1 h]. */
export function extensionWindow(
  endDate: string,
  policy: Pick<ExtensionPolicy, "lookaheadHours">,
  settings: Pick<EngineSettings, "windowOpensBeforeMs" | "windowClosesBeforeMs">,
): ExtensionWindow {
  const end = toMs(endDate);
  const ec2Opens = end - settings.windowOpensBeforeMs;
  // A misconfigured margin below EC2's own 1 h would let CBM try purchases EC2 refuses (or that cannot clear).
  const closes = end - Math.max(settings.windowClosesBeforeMs, EC2_WINDOW_CLOSES_BEFORE_MS);
  const opens = Math.max(end - policy.lookaheadHours * HOUR_MS, ec2Opens);
  return {
    window: isoAt(end),
    opensAt: isoAt(opens),
    closesAt: isoAt(closes),
    ec2OpensAt: isoAt(ec2Opens),
    ec2ClosesAt: isoAt(end - EC2_WINDOW_CLOSES_BEFORE_MS),
  };
}

/** True when `iso` is 11:30:00.000 UTC, the time every Capacity Block ends (reference §0.4). */
export function isEndAt1130Utc(iso: string): boolean {
  const d = new Date(toMs(iso));
  return d.getUTCHours() === 11 && d.getUTCMinutes() === 30 && d.getUTCSeconds() === 0 && d.getUTCMilliseconds() === 0;
}

/** True when `now` is inside CBM's buying part of the window, [opensAt, closesAt]. */
export function isWindowOpen(w: ExtensionWindow, now: Date): boolean {
  const t = now.getTime();
  return t >= toMs(w.opensAt) && t <= toMs(w.closesAt);
}

/** Latest moment a purchase can still clear payment: EC2 needs it by end − 35 min, and within 12 h (reference §2.3). */
export function paymentDeadline(endDate: string, purchasedAt: string): string {
  return isoAt(Math.min(toMs(endDate) - 35 * 60_000, toMs(purchasedAt) + 12 * HOUR_MS));
}
