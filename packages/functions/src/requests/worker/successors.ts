import {
  AlreadyExistsError,
  type BlockStore,
  type Clock,
  type Ids,
  type Notifier,
  planSuccessor,
  RequestNameTakenError,
  type RequestStore,
} from "@cbm/core";
import { createRequestUseCases } from "../use-cases/request-use-cases";

/** How far ahead successor candidates are read: EC2 sells blocks up to 56 days out, but a window opens at most 56 days before the end. */
const HORIZON_MS = 56 * 24 * 3_600_000;

export interface SuccessorDeps {
  blocks: Pick<BlockStore, "findEndingBetween">;
  requests: RequestStore;
  notifier: Notifier;
  clock: Clock;
  ids: Ids;
  /** Blocks read per run (one index page): bounded work per minute. */
  limit?: number;
}

/**
 * Continuity: for managed blocks whose policy says `openSuccessorRequest` and for which EC2 offers no extension
 * while the window is open, opens one capacity request for a successor block. Reads blocks ending soon from the
 * `ending` index (never a scan); the request id is derived from the reservation and its end date (core's
 * successorRequestId), so a conditional create makes every later run, and every later registration of the same
 * reservation, a no-op. One notice says what a successor means for running instances.
 */
export async function openSuccessors(deps: SuccessorDeps): Promise<string[]> {
  const now = deps.clock.now();
  const page = await deps.blocks.findEndingBetween(now.toISOString(), new Date(now.getTime() + HORIZON_MS).toISOString(), {
    limit: deps.limit ?? 100,
  });
  const opened: string[] = [];
  for (const block of page.items) {
    const plan = planSuccessor(block, now.toISOString());
    if (plan.kind === "skip") continue;
    const api = createRequestUseCases({
      requests: deps.requests,
      clock: deps.clock,
      ids: { next: () => plan.id },
      defaultRegion: block.region,
    });
    try {
      // Built by core from a stored block, not untrusted input: the use case's own schemas check it (no wire parsing,
      // which would only add the body schema to this function's bundle).
      const { durationDays, ...wanted } = plan.body;
      const body = { ...wanted, durationHours: durationDays * 24, platform: "Linux/UNIX" as const };
      const actor = { actor: `block:${block.PK}` };
      // Names are unique among live requests, and a person may hold this one: the successor then goes by its id,
      // since a successor that never opens is a block that ends with nothing after it.
      await api.create(body, actor).catch((err: unknown) => {
        if (!(err instanceof RequestNameTakenError)) throw err;
        return api.create({ ...body, name: `${body.name} (${plan.id})` }, actor);
      });
    } catch (err) {
      if (err instanceof AlreadyExistsError) continue;
      throw err;
    }
    opened.push(plan.id);
    await deps.notifier.send({
      key: `REQ#${plan.id}#opened`,
      kind: "no-offering",
      pk: block.PK,
      subject: `${block.PK}: no extension offered; successor block requested`,
      body: plan.notice,
      at: now.toISOString(),
    });
  }
  return opened;
}
