import {
  type CapacityRequest,
  linkActor,
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
import { linkCsrf } from "./link-token";
import { changeRequest, createApproveRequest } from "../../requests";
import { cancelled } from "../../requests";
import { checkForm, type LinkAnswer, type LinkBaseDeps, type SpentLinkView } from "./link-answer";

export interface RequestLinkDeps extends LinkBaseDeps {
  requests: Pick<RequestStore, "get" | "update">;
}

/** What a request link shows. Every kind but `ready` changes nothing and says why. */
export type RequestLinkView =
  | SpentLinkView<RequestLinkClaims>
  | { kind: "ready"; claims: RequestLinkClaims; request: CapacityRequest; terms: RequestTerms; csrf: string };

export type RequestLinkOutcome =
  | Exclude<RequestLinkView, { kind: "ready" }>
  | { kind: "refused"; view: Extract<RequestLinkView, { kind: "ready" }>; message: string }
  | { kind: "done"; claims: RequestLinkClaims; request: CapacityRequest; action: "approved" | "declined" };

/**
 * Capacity-request approval links: `view` backs GET (never acts), `answer` the POST. An approval goes through the
 * same use case as PATCH /requests/{id}, records exactly the link's terms with the actor `link:<recipient>`; a
 * decline cancels the request as DELETE /requests/{id} does, by the same actor. Either is written together with the
 * link's "used" record, so the link acts once.
 */
export function createRequestLinks(deps: RequestLinkDeps) {
  const approve = createApproveRequest({ requests: deps.requests, clock: deps.clock, links: deps.links });

  async function view(claims: RequestLinkClaims): Promise<RequestLinkView> {
    const [use, request] = await Promise.all([deps.links.findUse(claims.id), deps.requests.get(claims.terms.requestId)]);
    const state = requestLinkState(claims, request, deps.clock.now(), use);
    if (state.kind === "used") return { kind: "used", claims, use: state.use };
    if (state.kind === "expired") return { kind: "expired", claims };
    if (state.kind === "superseded") return { kind: "superseded", claims, reason: state.reason };
    return { kind: "ready", claims, request: state.request, terms: state.terms, csrf: await linkCsrf(deps.secret, claims.id) };
  }

  async function answer(claims: RequestLinkClaims, a: LinkAnswer): Promise<RequestLinkOutcome> {
    const v = await view(claims);
    if (v.kind !== "ready") return v;
    const refusal = await checkForm(deps.secret, claims.id, a);
    if (refusal) return { kind: "refused", view: v, message: refusal };
    const by = linkActor(claims);
    const use: LinkUse = {
      tokenId: claims.id,
      pk: requestLinkPk(claims.terms.requestId),
      action: a.action === "approve" ? "approved" : "declined",
      by,
      at: deps.clock.now().toISOString(),
      expiresAt: claims.expiresAt,
    };
    try {
      const request = a.action === "approve" ? await approveOnce(claims, a, use) : await declineOnce(claims, use);
      return { kind: "done", claims, request, action: use.action === "approved" ? "approved" : "declined" };
    } catch (err) {
      // Used meanwhile, or the worker re-quoted, started buying or bought: nothing was written; say why.
      if (err instanceof LinkUsedError || err instanceof RequestStateError || err instanceof RequestPurchaseInFlightError) {
        const again = await view(claims);
        if (again.kind !== "ready") return again;
        return { kind: "refused", view: again, message: `${err.message}; nothing was changed.` };
      }
      throw err;
    }
  }

  async function approveOnce(claims: RequestLinkClaims, a: LinkAnswer, use: LinkUse): Promise<CapacityRequest> {
    const comment = a.justification ? { comment: a.justification } : {};
    return (await approve(claims.terms.requestId, { actor: use.by, ...comment }, { terms: claims.terms, use })).request;
  }

  function declineOnce(claims: RequestLinkClaims, use: LinkUse): Promise<CapacityRequest> {
    return changeRequest(
      deps.requests,
      claims.terms.requestId,
      (r) => cancelled(r, use.by, use.at),
      (next, v) => deps.links.updateRequestUsingLink(next, v, use),
    );
  }

  return { view, answer };
}

export type RequestLinks = ReturnType<typeof createRequestLinks>;
