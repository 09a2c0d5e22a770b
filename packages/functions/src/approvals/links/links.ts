import { isRequestLink, type LinkClaims, type RequestLinkClaims } from "@cbm/core";
import { verifyLink } from "./link-token";
import type { SigningSecret } from "./signing";
import type { ApprovalLinks, LinkOutcome, LinkView } from "./approval-links";
import type { LinkAnswer } from "./link-answer";
import type { RequestLinkOutcome, RequestLinks, RequestLinkView } from "./request-links";

/** What any link shows; `invalid` is a token that is forged, altered, malformed, or of a kind this API does not serve. */
export type AnyLinkView = { kind: "invalid" } | LinkView | RequestLinkView;
export type AnyLinkOutcome = { kind: "invalid" } | LinkOutcome | RequestLinkOutcome;

const INVALID = { kind: "invalid" } as const;

/**
 * Every signed link, behind one URL: the token is verified once (one key, one signing path) and its subject says
 * whose rules apply, a block's extension or a capacity request's purchase.
 */
export function createLinks(deps: { secret: SigningSecret; blocks: ApprovalLinks; requests?: RequestLinks }) {
  async function route<T>(
    token: string,
    onBlock: (c: LinkClaims) => Promise<T>,
    onRequest: (r: RequestLinks, c: RequestLinkClaims) => Promise<T>,
  ): Promise<T | typeof INVALID> {
    const claims = await verifyLink(deps.secret, token);
    if (!claims) return INVALID;
    if (!isRequestLink(claims)) return onBlock(claims);
    return deps.requests ? onRequest(deps.requests, claims) : INVALID;
  }
  return {
    view: (token: string): Promise<AnyLinkView> =>
      route<AnyLinkView>(
        token,
        (c) => deps.blocks.view(c),
        (r, c) => r.view(c),
      ),
    answer: (token: string, a: LinkAnswer): Promise<AnyLinkOutcome> =>
      route<AnyLinkOutcome>(
        token,
        (c) => deps.blocks.answer(c, a),
        (r, c) => r.answer(c, a),
      ),
  };
}

export type Links = ReturnType<typeof createLinks>;
