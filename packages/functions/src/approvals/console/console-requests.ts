import { CbmError, type CapacityRequest, type Clock, type Ids, type RequestStore } from "@cbm/core";
import { drain } from "../../platform/pages";
import { createRequestUseCases } from "../../requests";

/** What the console's requests page reads and does: the same use cases as the planning API, recorded as the person. */
export interface ConsoleRequestDeps {
  requests?: Pick<RequestStore, "list" | "get" | "update">;
  clock: Clock;
  ids: Ids;
}

export type RequestActionResult = { ok: true; message: string } | { ok: false; message: string; status: number };

const EXPECTED: Record<string, number> = { NOT_FOUND: 404, INVALID_STATE: 409, PURCHASE_IN_FLIGHT: 409, VERSION_CONFLICT: 409 };

/** Pages of 100 read for the requests page; a deployment with more sees the first 500. */
const MAX_PAGES = 5;

export function createConsoleRequests(d: ConsoleRequestDeps) {
  // Approve and cancel use only the store's get and update, which the web routes are given.
  const uc = d.requests
    ? createRequestUseCases({ requests: d.requests as RequestStore, clock: d.clock, ids: d.ids, defaultRegion: "" })
    : undefined;

  async function act(run: () => Promise<string>): Promise<RequestActionResult> {
    try {
      return { ok: true, message: await run() };
    } catch (err) {
      if (err instanceof CbmError && EXPECTED[err.code] !== undefined)
        return { ok: false, message: err.message, status: EXPECTED[err.code]! };
      throw err;
    }
  }

  return {
    available: uc !== undefined,
    /** Newest first as the store lists them; those waiting for a person are shown first by the page. */
    async list(): Promise<CapacityRequest[]> {
      if (!d.requests) return [];
      const requests = d.requests;
      return (await drain((page) => requests.list(page), { limit: 100, maxPages: MAX_PAGES })).items;
    },
    /** Approves exactly the terms last quoted, as PATCH /requests/{id} does. */
    approve: (id: string, actor: string, comment?: string) =>
      act(async () => {
        const { covers } = await uc!.approve(id, { actor, ...(comment ? { comment } : {}) });
        return `Approved: ${covers}. CBM buys on its next run if the offering is still there.`;
      }),
    /** Declines: the request is cancelled (the record stays), as DELETE /requests/{id} does. */
    decline: (id: string, actor: string) =>
      act(async () => {
        const r = await uc!.cancel(id, { actor });
        return `Declined: request ${r.name ?? r.id} is cancelled; nothing will be bought for it.`;
      }),
  };
}
