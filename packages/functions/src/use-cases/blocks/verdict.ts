import { InvalidStateError, NotFoundError, VersionConflictError, type Block, type Verdict } from "@cbm/core";
import { historyEvent, MAX_UNPINNED_ATTEMPTS, type Actor, type BlockUseCaseDeps } from "./deps";

const HOUR_MS = 3_600_000;
const iso = (s: string) => new Date(s).toISOString();

/**
 * The window a person's verdict applies to. A window is identified by the reservation's EC2 end date. If this
 * window's extension is already bought (intent, pending payment or last purchase), the verdict is for the next
 * window, the end date the purchase moves to. Without any known end date there is no window to decide on yet.
 */
export function verdictWindow(block: Block): string {
  if (!block.endDate) {
    throw new InvalidStateError(`Block '${block.PK}' has no end date yet; try again after the next scheduler tick has read it from EC2`);
  }
  const current = iso(block.endDate);
  const same = (w: string | null | undefined) => !!w && iso(w) === current;
  let boughtHours: number | undefined;
  if (block.pendingExtension && same(block.pendingExtension.window)) boughtHours = block.pendingExtension.durationHours;
  else if (block.intent && same(block.intent.window)) boughtHours = block.intent.durationHours;
  else if (same(block.lastPurchaseWindow)) boughtHours = block.policy.extendByDays * 24;
  return boughtHours === undefined ? current : new Date(Date.parse(current) + boughtHours * HOUR_MS).toISOString();
}

export interface VerdictInput extends Actor {
  comment?: string;
}

const STATUSES_A_VERDICT_REPLACES = new Set<Block["status"]>(["awaiting-approval", "approved", "denied"]);

export function createVerdicts(deps: BlockUseCaseDeps) {
  async function decide(pk: string, kind: "approved" | "denied", { actor, comment }: VerdictInput): Promise<Block> {
    for (let attempt = 1; ; attempt++) {
      const current = await deps.store.get(pk);
      if (!current) throw new NotFoundError(pk);
      const now = deps.clock.now();
      const window = verdictWindow(current);
      const verdict: Verdict = { window, by: actor, at: now.toISOString(), ...(comment !== undefined ? { comment } : {}) };
      const sameWindow = (v: Verdict | null | undefined) => !!v && iso(v.window) === window;
      const status = STATUSES_A_VERDICT_REPLACES.has(current.status) ? kind : current.status;
      const next: Block =
        kind === "approved"
          ? {
              ...current,
              approved: true,
              approval: verdict,
              denial: sameWindow(current.denial) ? null : current.denial,
              status,
              // The scheduler acts on the approval at its next tick instead of at the block's next planned check.
              nextCheckAt: now.toISOString(),
              updatedAt: now.toISOString(),
            }
          : {
              ...current,
              approved: false,
              denial: verdict,
              approval: sameWindow(current.approval) ? null : current.approval,
              status,
              updatedAt: now.toISOString(),
            };
      const message = `${kind === "approved" ? "Approved" : "Denied"} the extension for the window ending ${window}${comment ? `: ${comment}` : ""}`;
      try {
        return await deps.store.update(next, current.version, [historyEvent(deps, pk, now, kind, actor, message, { window, ...(comment ? { comment } : {}) })]);
      } catch (err) {
        if (!(err instanceof VersionConflictError) || attempt >= MAX_UNPINNED_ATTEMPTS) throw err;
      }
    }
  }

  return {
    approve: (pk: string, input: VerdictInput) => decide(pk, "approved", input),
    deny: (pk: string, input: VerdictInput) => decide(pk, "denied", input),
  };
}
