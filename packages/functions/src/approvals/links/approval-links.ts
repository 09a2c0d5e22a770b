import {
  applyVerdict,
  linkState,
  recentDecisions,
  ValidationError,
  LinkUsedError,
  type AuthorizationTerms,
  type Block,
  type BlockStore,
  type HistoryEvent,
  type HistoryStore,
  type Ids,
  type LinkClaims,
} from "@cbm/core";
import { CONFLICT_ATTEMPTS } from "../../platform/retry-on-conflict";
import { createLinkFamily, type LinkOutcomeOf, type LinkSubject, type LinkViewOf } from "./link-family";
import type { LinkBaseDeps } from "./link-answer";

export type { LinkAnswer } from "./link-answer";

export interface ApprovalLinkDeps extends LinkBaseDeps {
  store: BlockStore;
  history: HistoryStore;
  ids: Ids;
}

/** What a block's live link shows: the block, the terms it approves, and the block's recent decisions. */
type BlockShown = { block: Block; terms: AuthorizationTerms; recent: HistoryEvent[] };
type BlockDone = { block: Block; action: "approved" | "denied" };

/** What a block's link shows. Every kind but `ready` changes nothing and says why. */
export type LinkView = LinkViewOf<LinkClaims, BlockShown>;
export type LinkOutcome = LinkOutcomeOf<LinkClaims, BlockShown, BlockDone>;

/**
 * A block's approval links, the link family over a block's window: the verdict records exactly the link's terms.
 * The scheduler may write the block while a person answers: the answer is replayed on the fresh block (the link may
 * be superseded by then).
 */
export function createApprovalLinks(deps: ApprovalLinkDeps) {
  const subject: LinkSubject<LinkClaims, Block, BlockShown, BlockDone> = {
    read: (claims) => deps.store.get(claims.pk),
    async state(claims, block, now, use) {
      const state = linkState(claims, block, now, use);
      if (state.kind !== "ready") return state;
      const page = await deps.history.list(claims.pk, { limit: 20 });
      return { kind: "ready", block: state.block, terms: state.terms, recent: recentDecisions(page.items) };
    },
    usePk: (claims) => claims.pk,
    action: (a) => (a.action === "approve" ? "approved" : "denied"),
    async act(v, a, use, now) {
      const kind = use.action === "approved" ? "approved" : "denied";
      let decided;
      try {
        decided = applyVerdict(
          v.block,
          kind,
          { by: use.by, ...(a.justification ? { comment: a.justification } : {}), ...(kind === "approved" ? { terms: v.terms } : {}) },
          now,
        );
      } catch (err) {
        if (err instanceof ValidationError)
          return { refused: `A justification is required for this block: ${err.issues.map((i) => i.message).join("; ")}` };
        throw err;
      }
      const block = await deps.links.updateUsingLink(
        { subject: "block", next: decided.block, expectedVersion: v.block.version, events: [{ ...decided.event, id: deps.ids.next() }] },
        use,
      );
      return { block, action: kind };
    },
    movedOn: (err) => err instanceof LinkUsedError,
    conflictAttempts: CONFLICT_ATTEMPTS,
  };
  return createLinkFamily(deps, subject);
}

export type ApprovalLinks = ReturnType<typeof createApprovalLinks>;
