import {
  type CapacityRequest,
  linkActor,
  LinkUsedError,
  type LinkUse,
  requestLinkPk,
  requestLinkState,
  RequestStateError,
  type RequestLinkClaims,
  type RequestStore,
  type RequestTerms,
} from "@cbm/core";
import { linkCsrf } from "../../links/link-token";
import { createApproveRequest } from "../requests/approve-request";
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
  | { kind: "done"; claims: RequestLinkClaims; request: CapacityRequest; action: "approved" };

/**
 * Capacity-request approval links: `view` backs GET (never acts), `answer` the POST. An approval goes through the
 * same use case as PATCH /requests/{id}, records exactly the link's terms with the actor `link:<recipient>`, and is
 * written together with the link's "used" record, so the link acts once.
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
    if (a.action !== "approve")
      return {
        kind: "refused",
        view: v,
        message: "A request link can only approve; to stop the request, cancel it with cbm request cancel.",
      };
    const by = linkActor(claims);
    const now = deps.clock.now().toISOString();
    const use: LinkUse = {
      tokenId: claims.id,
      pk: requestLinkPk(claims.terms.requestId),
      action: "approved",
      by,
      at: now,
      expiresAt: claims.expiresAt,
    };
    try {
      const { request } = await approve(
        claims.terms.requestId,
        { actor: by, ...(a.justification ? { comment: a.justification } : {}) },
        { terms: claims.terms, use },
      );
      return { kind: "done", claims, request, action: "approved" };
    } catch (err) {
      // Used meanwhile, or the worker re-quoted or bought: the fresh view says which; nothing was written.
      if (err instanceof LinkUsedError || err instanceof RequestStateError) {
        const again = await view(claims);
        if (again.kind !== "ready") return again;
      }
      throw err;
    }
  }

  return { view, answer };
}

export type RequestLinks = ReturnType<typeof createRequestLinks>;
