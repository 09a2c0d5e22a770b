import { VersionConflictError } from "@cbm/core";

/**
 * Writers without a client-pinned version race only with the scheduler and the worker, which write at most once per
 * minute per record: a few fresh re-reads settle that race.
 */
export const CONFLICT_ATTEMPTS = 3;

export interface RetryOnConflict {
  /** How many times `attempt` runs in all before the last conflict is thrown; CONFLICT_ATTEMPTS unless told. */
  attempts?: number;
  /**
   * The caller pinned the version it read (If-Match, a body `version`): a conflict must reach the client as it asked,
   * never be replayed on a fresher record.
   */
  pinned?: boolean;
}

/**
 * Optimistic concurrency: runs `attempt` (read, decide, conditional write) and replays it on a fresh read when the
 * write lost a race (VersionConflictError). Any other error, a pinned version or the last attempt throws. `attempt`
 * must re-read on every call: replaying a write with a stale version could only fail again.
 */
export async function retryOnConflict<T>(attempt: () => Promise<T>, options: RetryOnConflict = {}): Promise<T> {
  const attempts = options.attempts ?? CONFLICT_ATTEMPTS;
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (err) {
      if (!(err instanceof VersionConflictError) || options.pinned === true || n >= attempts) throw err;
    }
  }
}
