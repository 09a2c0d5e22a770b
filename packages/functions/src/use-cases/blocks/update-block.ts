import { NotFoundError, ValidationError, VersionConflictError, type Block } from "@cbm/core";
import { applyBlockUpdate } from "./block-inputs";
import { historyEvent, MAX_UNPINNED_ATTEMPTS, type Actor, type BlockUseCaseDeps } from "./deps";
import type { WithWarnings } from "./create-block";

export interface VersionPin extends Actor {
  /** From If-Match; must agree with the body's `version` when both are sent. */
  ifMatch?: number;
}

/** Top-level fields whose value differs, for the history entry (values are left out: policy may hold budgets). */
function changedFields(before: Block, after: Block): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  keys.delete("updatedAt");
  return [...keys].filter((k) => JSON.stringify(before[k as keyof Block]) !== JSON.stringify(after[k as keyof Block])).sort();
}

export function createUpdateBlock(deps: BlockUseCaseDeps) {
  return async function updateBlock(pk: string, body: unknown, { actor, ifMatch }: VersionPin): Promise<WithWarnings> {
    for (let attempt = 1; ; attempt++) {
      const current = await deps.store.get(pk);
      if (!current) throw new NotFoundError(pk);
      const now = deps.clock.now();
      const { block: next, warnings, expectedVersion: bodyVersion } = applyBlockUpdate(current, body, { now: now.toISOString() });
      if (ifMatch !== undefined && bodyVersion !== undefined && ifMatch !== bodyVersion) {
        throw new ValidationError([{ field: "version", message: `does not match If-Match (${ifMatch})`, code: "version_mismatch" }]);
      }
      const pinned = ifMatch ?? bodyVersion;
      if (pinned !== undefined && pinned !== current.version) throw new VersionConflictError(pk, pinned);
      const fields = changedFields(current, next);
      try {
        const stored = await deps.store.update(next, current.version, [
          historyEvent(deps, pk, now, "updated", actor, fields.length ? `Updated ${fields.join(", ")}` : "Updated (no changes)", { fields }),
        ]);
        return { block: stored, warnings };
      } catch (err) {
        // Only an unpinned edit may be replayed on the fresh record; a pinned one must fail as the client asked.
        if (!(err instanceof VersionConflictError) || pinned !== undefined || attempt >= MAX_UNPINNED_ATTEMPTS) throw err;
      }
    }
  };
}
