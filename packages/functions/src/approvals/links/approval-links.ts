import {
  applyVerdict,
  linkActor,
  linkState,
  LinkUsedError,
  recentDecisions,
  ValidationError,
  type AuthorizationTerms,
  type Block,
  type BlockStore,
  type HistoryEvent,
  type HistoryStore,
  type Ids,
  type LinkClaims,
  type LinkUse,
} from "@cbm/core";
import { retryOnConflict } from "../../platform/retry-on-conflict";
import { linkCsrf } from "./link-token";
import { checkForm, type LinkAnswer, type LinkBaseDeps, type SpentLinkView } from "./link-answer";

export type { LinkAnswer } from "./link-answer";

export interface ApprovalLinkDeps extends LinkBaseDeps {
  store: BlockStore;
  history: HistoryStore;
  ids: Ids;
}

/** What a block's link shows. Every kind but `ready` changes nothing and says why. */
export type LinkView =
  | SpentLinkView<LinkClaims>
  | { kind: "retry"; claims: LinkClaims; reason: string }
  | { kind: "ready"; claims: LinkClaims; block: Block; terms: AuthorizationTerms; recent: HistoryEvent[]; csrf: string };

export type LinkOutcome =
  | Exclude<LinkView, { kind: "ready" }>
  /** Nothing changed; the page is shown again with the message (missing justification, unticked box …). */
  | { kind: "refused"; view: Extract<LinkView, { kind: "ready" }>; message: string }
  | { kind: "done"; claims: LinkClaims; block: Block; action: "approved" | "denied" };

/**
 * A block's approval links: `view` backs GET (never acts, whoever fetches it), `answer` backs the POST. The verdict records
 * exactly the link's terms with the actor `link:<recipient>`, and is written together with the link's "used"
 * record, so the link acts once.
 */
export function createApprovalLinks(deps: ApprovalLinkDeps) {
  async function view(claims: LinkClaims): Promise<LinkView> {
    const [use, block] = await Promise.all([deps.links.findUse(claims.id), deps.store.get(claims.pk)]);
    const state = linkState(claims, block, deps.clock.now(), use);
    if (state.kind === "used") return { kind: "used", claims, use: state.use };
    if (state.kind === "expired") return { kind: "expired", claims };
    if (state.kind !== "ready") return { kind: state.kind, claims, reason: state.reason };
    const page = await deps.history.list(claims.pk, { limit: 20 });
    return {
      kind: "ready",
      claims,
      block: state.block,
      terms: state.terms,
      recent: recentDecisions(page.items),
      csrf: await linkCsrf(deps.secret, claims.id),
    };
  }

  async function answer(claims: LinkClaims, a: LinkAnswer): Promise<LinkOutcome> {
    // The scheduler may write the block meanwhile: look again (the link may be superseded now).
    return retryOnConflict(async (): Promise<LinkOutcome> => {
      const v = await view(claims);
      if (v.kind !== "ready") return v;
      const refusal = await checkForm(deps.secret, v.claims.id, a);
      if (refusal) return { kind: "refused", view: v, message: refusal };
      const kind = a.action === "approve" ? "approved" : "denied";
      const by = linkActor(v.claims);
      const now = deps.clock.now();
      let decided;
      try {
        decided = applyVerdict(
          v.block,
          kind,
          { by, ...(a.justification ? { comment: a.justification } : {}), ...(kind === "approved" ? { terms: v.terms } : {}) },
          now,
        );
      } catch (err) {
        if (err instanceof ValidationError)
          return {
            kind: "refused",
            view: v,
            message: `A justification is required for this block: ${err.issues.map((i) => i.message).join("; ")}`,
          };
        throw err;
      }
      const use: LinkUse = {
        tokenId: v.claims.id,
        pk: v.claims.pk,
        action: kind,
        by,
        at: now.toISOString(),
        expiresAt: v.claims.expiresAt,
      };
      try {
        const block = await deps.links.updateUsingLink(decided.block, v.block.version, [{ ...decided.event, id: deps.ids.next() }], use);
        return { kind: "done", claims: v.claims, block, action: kind };
      } catch (err) {
        if (err instanceof LinkUsedError) {
          const used = await deps.links.findUse(v.claims.id);
          if (used) return { kind: "used", claims: v.claims, use: used };
        }
        throw err;
      }
    });
  }

  return { view, answer };
}

export type ApprovalLinks = ReturnType<typeof createApprovalLinks>;
