import type { Block } from "./block";
import { InvalidStateError, NothingAskedError } from "./errors";
import { durationText } from "./ladder";
import type { HistoryEventDraft } from "./reconcile";
import { outlook } from "./outlook";
import { HOUR_MS, canonicalIso, isoAt, sameInstant, toMs } from "./time";
import { applyVerdict, verdictWindow, type VerdictInput, type VerdictKind } from "./verdicts";

/**
 * The window a person's verdict names. Absent: the window a notice asked about. `next`: the next window whose
 * extension is not bought yet, asked about or not (an approval in advance). An ISO date: that window, by its end.
 */
export type WindowChoice = "next" | string;

/** How a verdict met its window, said in words in the answer and in history. */
export type VerdictMode = "asked" | "advance" | "repeat";

export interface VerdictOutcome {
  block: Block;
  /** Absent for a repeat: nothing new is recorded. */
  event?: HistoryEventDraft;
  covers?: string;
  window: string;
  mode: VerdictMode;
  /** One sentence for the person who acted: what was recorded, for which window, and whether it was asked. */
  note: string;
}

/**
 * PATCH /{PK}, POST /{PK}/deny and the first release's `approval: true`: resolves the window the person meant, then
 * applies the verdict. Without a named window only an asked window is decided; a repeat of a verdict already held
 * for the window changes nothing, and so does an approval repeated after its window was bought. One exception keeps
 * the first release's scripts working: an approval of the current window of a block whose policy requires approval,
 * not bought yet, is taken in advance (its `approval: true` meant "approved for the next extension"); it never
 * reaches past a purchase, which is how a repeated command once bought twice.
 */
export function decideVerdict(block: Block, kind: VerdictKind, v: VerdictInput & { window?: WindowChoice }, now: Date): VerdictOutcome {
  const window = verdictWindow(block);
  const current = canonicalIso(block.endDate!);
  if (v.window !== undefined && v.window !== "next" && !sameInstant(v.window, window)) {
    const named = canonicalIsoOrRaw(v.window);
    if (kind === "approved" && (sameInstant(v.window, current) || sameInstant(v.window, block.lastPurchaseWindow))) {
      // A notice's own command (it names its window) run again after that window was bought: already done.
      const askedNow = sameInstant(block.approvalRequest?.window, window);
      const note = askedNow
        ? `The extension for the window ending ${named} is already bought; nothing new was recorded. CBM is asking about the window ending ${window} now: its own notice names it.`
        : alreadyBought(block, named) + nextAsk(block, window, now);
      return { block, window: named, mode: "repeat", note };
    }
    if (sameInstant(v.window, current)) throw new NothingAskedError(alreadyBought(block, current) + nextAsk(block, window, now));
    throw new InvalidStateError(
      `window: the block's next undecided window ends ${window}; ${canonicalIsoOrRaw(v.window)} is not one CBM can decide now`,
    );
  }
  const held = kind === "approved" ? block.approval : block.denial;
  const asked = sameInstant(block.approvalRequest?.window, window);
  const verb = kind === "approved" ? "Approved" : "Denied";
  if (sameInstant(held?.window, window)) {
    return {
      block,
      window,
      mode: "repeat",
      note: `Already ${verb.toLowerCase()} for the window ending ${window} (by ${held!.by} at ${held!.at}); nothing new was recorded.`,
    };
  }
  const bought = !sameInstant(window, current);
  if (!asked && v.window === undefined && kind === "approved" && bought) {
    // The approval a person repeats after its window was bought (a double click, a retry): already done.
    return { block, window: current, mode: "repeat", note: alreadyBought(block, current) + nextAsk(block, window, now) };
  }
  let mode: VerdictMode;
  if (asked) mode = "asked";
  else if (v.window !== undefined || (kind === "approved" && !bought && block.policy.requireApproval)) mode = "advance";
  else throw new NothingAskedError(nothingAsked(block, kind, window, current, now));
  const out = applyVerdict(block, kind, { ...v, advance: mode === "advance" }, now);
  const covers = out.covers ? ` It covers ${out.covers}.` : "";
  const note =
    mode === "asked"
      ? `${verb} the extension for the window ending ${window}, which CBM asked about.${covers}`
      : `${verb} in advance the extension for the window ending ${window}: no notice has asked about it yet.${covers}`;
  return { ...out, window, mode, note };
}

/** The 409's words when nothing is being asked: what is pending and when CBM asks next. */
function nothingAsked(block: Block, kind: VerdictKind, window: string, current: string, now: Date): string {
  const head = sameInstant(window, current)
    ? `Nothing is being asked for ${block.PK}: no notice has asked about the window ending ${window}. `
    : alreadyBought(block, current);
  const how = `To ${kind === "approved" ? "approve" : "deny"} it in advance, name it: {"window":"next"} (cbm ${kind === "approved" ? "approve" : "deny"} ${block.PK} --next).`;
  return `${head}${nextAsk(block, window, now)} ${how}`;
}

function alreadyBought(block: Block, current: string): string {
  const paying = block.pendingExtension && sameInstant(block.pendingExtension.window, current);
  return `The extension for the window ending ${current} is already bought${paying ? " (EC2 is collecting the payment)" : ""}; nothing new was recorded and nothing is being asked for ${block.PK} now. `;
}

/** When CBM next asks about `window`, in words. */
export function nextAsk(block: Block, window: string, now: Date): string {
  const p = block.policy;
  if (!p.enabled) return `The policy is paused, so CBM asks nothing until it is resumed.`;
  // A block CBM has stopped extending (budget spent, max extensions, not owned …) is neither asked about nor
  // bought: say so, with how to change it, instead of promising a purchase that will not come.
  const o = outlook(block, now);
  if (o.kind === "ends") return o.text;
  const opens = toMs(window) - p.lookaheadHours * HOUR_MS;
  const when = opens > now.getTime() ? `from ${isoAt(opens)} (${p.lookaheadHours} h before the end)` : "at the next scheduler tick";
  if (!p.requireApproval) {
    return `The policy needs no approval: CBM buys ${durationText(p.extendByDays * 24)} for the window ending ${window} ${when}.`;
  }
  return `CBM asks about the window ending ${window} ${when}.`;
}

function canonicalIsoOrRaw(s: string): string {
  return Number.isNaN(Date.parse(s)) ? s : canonicalIso(s);
}
