import {
  approvableTerms,
  type CapacityRequest,
  type Clock,
  describeRequestTerms,
  isCurrentQuote,
  type LinkUse,
  type LinkUseStore,
  RequestNotFoundError,
  RequestStateError,
  type RequestStore,
  type RequestTerms,
  withApproval,
} from "@cbm/core";
import { retryOnConflict } from "../../platform/retry-on-conflict";

/** Reads, changes and writes with the version read; retried on a conflict with the worker. */
export async function changeRequest(
  requests: Pick<RequestStore, "get">,
  id: string,
  edit: (r: CapacityRequest) => CapacityRequest,
  write: (next: CapacityRequest, expectedVersion: number) => Promise<CapacityRequest>,
): Promise<CapacityRequest> {
  return retryOnConflict(async () => {
    const current = await requests.get(id);
    if (!current) throw new RequestNotFoundError(id);
    return write(edit(current), current.version);
  });
}

export interface ApproveRequestDeps {
  requests: Pick<RequestStore, "get" | "update">;
  clock: Clock;
  /** Single-use link records; needed only to approve through a link. */
  links?: Pick<LinkUseStore, "updateUsingLink">;
}

/** An approval given through a signed link: exactly `terms`, written together with the link's "used" record. */
export interface ViaLink {
  terms: RequestTerms;
  use: LinkUse;
}

function writerFor(deps: ApproveRequestDeps, via: ViaLink | undefined) {
  if (!via) return (next: CapacityRequest, v: number) => deps.requests.update(next, v);
  const links = deps.links;
  if (!links) throw new Error("Approving through a link needs the link store (a composition error)");
  return (next: CapacityRequest, v: number) => links.updateUsingLink({ subject: "request", next, expectedVersion: v }, via.use);
}

/**
 * Approves the exact terms of the offering last quoted: that zone, start, duration and count, at most that fee.
 * The worker buys on its next run if an offering with those terms is still there; any other needs a new approval.
 * Through a link, the link's terms must still be the current quote, and the link acts once.
 */
export function createApproveRequest(deps: ApproveRequestDeps) {
  return async function approve(
    id: string,
    { actor, comment }: { actor: string; comment?: string },
    via?: ViaLink,
  ): Promise<{ request: CapacityRequest; covers: string }> {
    let covers = "";
    const write = writerFor(deps, via);
    const request = await changeRequest(
      deps.requests,
      id,
      (r) => {
        const open = approvableTerms(r);
        if (!open.ok) throw new RequestStateError(open.reason);
        if (via && !isCurrentQuote(r, via.terms)) throw new RequestStateError("The quote changed since the link was sent");
        const terms = via?.terms ?? open.terms;
        covers = describeRequestTerms(terms);
        return withApproval(r, terms, actor, deps.clock.now().toISOString(), comment);
      },
      write,
    );
    return { request, covers };
  };
}
