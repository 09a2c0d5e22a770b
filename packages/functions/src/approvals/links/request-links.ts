import {
  type CapacityRequest,
  LinkUsedError,
  type LinkUse,
  requestLinkPk,
  requestLinkState,
  RequestStateError,
  type RequestLinkClaims,
  RequestPurchaseInFlightError,
  type RequestStore,
  type RequestTerms,
} from "@cbm/core";
import { cancelled, changeRequest, createApproveRequest } from "../../requests";
import type { LinkAnswer, LinkBaseDeps } from "./link-answer";
import { createLinkFamily, type LinkOutcomeOf, type LinkSubject, type LinkViewOf } from "./link-family";

export interface RequestLinkDeps extends LinkBaseDeps {
  requests: Pick<RequestStore, "get" | "update">;
}

type RequestShown = { request: CapacityRequest; terms: RequestTerms };
type RequestDone = { request: CapacityRequest; action: "approved" | "declined" };

/** What a request link shows. Every kind but `ready` changes nothing and says why. */
export type RequestLinkView = LinkViewOf<RequestLinkClaims, RequestShown>;
export type RequestLinkOutcome = LinkOutcomeOf<RequestLinkClaims, RequestShown, RequestDone>;

/**
 * Capacity-request approval links, the link family over a request's quote. An approval goes through the same use
 * case as PATCH /requests/{id} and records exactly the link's terms; a decline cancels the request as
 * DELETE /requests/{id} does. Both retry a race with the worker themselves (changeRequest).
 */
export function createRequestLinks(deps: RequestLinkDeps) {
  const approve = createApproveRequest({ requests: deps.requests, clock: deps.clock, links: deps.links });

  const subject: LinkSubject<RequestLinkClaims, CapacityRequest, RequestShown, RequestDone> = {
    read: (claims) => deps.requests.get(claims.terms.requestId),
    state: async (claims, request, now, use) => requestLinkState(claims, request, now, use),
    usePk: (claims) => requestLinkPk(claims.terms.requestId),
    action: (a) => (a.action === "approve" ? "approved" : "declined"),
    async act(v, a, use) {
      const request = a.action === "approve" ? await approveOnce(v.claims, a, use) : await declineOnce(v.claims, use);
      return { request, action: use.action === "approved" ? "approved" : "declined" };
    },
    // Used meanwhile, or the worker re-quoted, started buying or bought: nothing was written.
    movedOn: (err) => err instanceof LinkUsedError || err instanceof RequestStateError || err instanceof RequestPurchaseInFlightError,
    conflictAttempts: 1,
  };

  async function approveOnce(claims: RequestLinkClaims, a: LinkAnswer, use: LinkUse): Promise<CapacityRequest> {
    const comment = a.justification ? { comment: a.justification } : {};
    return (await approve(claims.terms.requestId, { actor: use.by, ...comment }, { terms: claims.terms, use })).request;
  }

  function declineOnce(claims: RequestLinkClaims, use: LinkUse): Promise<CapacityRequest> {
    return changeRequest(
      deps.requests,
      claims.terms.requestId,
      (r) => cancelled(r, use.by, use.at),
      (next, v) => deps.links.updateUsingLink({ subject: "request", next, expectedVersion: v }, use),
    );
  }

  return createLinkFamily(deps, subject);
}

export type RequestLinks = ReturnType<typeof createRequestLinks>;
