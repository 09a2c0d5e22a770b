import {
  applyBlockUpdate,
  decideVerdict,
  updatedEvent,
  NotFoundError,
  ValidationError,
  VersionConflictError,
  withdrawApproval,
  type Block,
  type HistoryEvent,
  type UpdateBlockCommand,
} from "@cbm/core";
import { retryOnConflict } from "../../platform/retry-on-conflict";
import { historyEvent, type Actor, type BlockUseCaseDeps } from "./deps";
import type { WithWarnings } from "./create-block";

export interface VersionPin extends Actor {
  /** From If-Match; must agree with the body's `version` when both are sent. */
  ifMatch?: number;
}

/** Bookkeeping an update always refreshes (due now, backoff reset): not a change a person made. */
const BOOKKEEPING: ReadonlySet<string> = new Set(["updatedAt", "nextCheckAt", "failures"]);

/** Top-level fields whose value differs, for the history entry (values are left out: policy may hold budgets). */
function changedFields(before: Block, after: Block): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys]
    .filter((k) => !BOOKKEEPING.has(k) && JSON.stringify(before[k as keyof Block]) !== JSON.stringify(after[k as keyof Block]))
    .sort();
}

export function createUpdateBlock(deps: BlockUseCaseDeps) {
  return async function updateBlock(pk: string, command: UpdateBlockCommand, { actor, ifMatch }: VersionPin): Promise<WithWarnings> {
    // Only an unpinned edit may be replayed on the fresh record; a pinned one must fail as the client asked.
    const pinnedByClient = ifMatch !== undefined || command.version !== undefined;
    return retryOnConflict(
      async () => {
        const current = await deps.store.get(pk);
        if (!current) throw new NotFoundError(pk);
        const now = deps.clock.now();
        const {
          block: edited,
          warnings,
          expectedVersion: bodyVersion,
          verdict,
        } = applyBlockUpdate(current, command, { now: now.toISOString() });
        if (ifMatch !== undefined && bodyVersion !== undefined && ifMatch !== bodyVersion) {
          throw new ValidationError([{ field: "version", message: `does not match If-Match (${ifMatch})`, code: "version_mismatch" }]);
        }
        const pinned = ifMatch ?? bodyVersion;
        if (pinned !== undefined && pinned !== current.version) throw new VersionConflictError(pk, pinned);
        const fields = changedFields(current, edited);
        const events: HistoryEvent[] = fields.length ? [historyEvent(deps, pk, now, actor, updatedEvent(fields))] : [];
        let next = edited;
        // The approval flag (first release's `approval`, README's `approved`) acts as PATCH or as a withdrawal, never on the policy.
        if (verdict === "approve") {
          // The same rule as PATCH: the asked window, or the current one not bought yet; never past a purchase.
          const v = decideVerdict(edited, "approved", { by: actor }, now);
          next = v.block;
          if (v.event) events.push({ ...v.event, id: deps.ids.next() });
          warnings.push(`approved: ${v.note}`);
        } else if (verdict === "withdraw") {
          const w = withdrawApproval(edited, actor, now);
          next = w.block;
          if (w.event) {
            events.push({ ...w.event, id: deps.ids.next() });
            warnings.push(w.event.message);
          }
        }
        // Nothing to change (an empty PUT, or a record read back unchanged): no new version, no history event.
        if (events.length === 0) return { block: current, warnings };
        return { block: await deps.store.update(next, current.version, events), warnings };
      },
      { pinned: pinnedByClient },
    );
  };
}
