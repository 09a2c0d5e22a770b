import { linkActor, type AnyLinkClaims, type LinkUse } from "@cbm/core";
import { retryOnConflict } from "../../platform/retry-on-conflict";
import { checkForm, type LinkAnswer, type LinkBaseDeps, type SpentLinkView } from "./link-answer";
import { linkCsrf } from "./link-token";

/** Core's rule for one link over its subject now, with what a live link's page shows besides the claims (`R`). */
export type SubjectState<R extends object> =
  | { kind: "used"; use: LinkUse }
  | { kind: "expired" }
  | { kind: "superseded" | "retry"; reason: string }
  | ({ kind: "ready" } & R);

/** What a link shows. Every kind but `ready` changes nothing and says why. */
export type LinkViewOf<C, R extends object> =
  | SpentLinkView<C>
  | { kind: "retry"; claims: C; reason: string }
  | ({ kind: "ready"; claims: C; csrf: string } & R);

export type ReadyLink<C, R extends object> = Extract<LinkViewOf<C, R>, { kind: "ready" }>;

export type LinkOutcomeOf<C, R extends object, D extends object> =
  | Exclude<LinkViewOf<C, R>, { kind: "ready" }>
  /** Nothing changed; the page is shown again with the message (missing justification, unticked box …). */
  | { kind: "refused"; view: ReadyLink<C, R>; message: string }
  | ({ kind: "done"; claims: C } & D);

/**
 * What differs between the things a link can approve (a block's window, a capacity request's quote): reading the
 * subject, core's rule for its links, and the write an answer makes. Everything else is the family's.
 */
export interface LinkSubject<C extends AnyLinkClaims, Rec, R extends object, D extends object> {
  read(claims: C): Promise<Rec | undefined>;
  /** Core's pure rule for this subject's links (used and expired first), plus what a ready page shows. */
  state(claims: C, record: Rec | undefined, now: Date, use: LinkUse | undefined): Promise<SubjectState<R>>;
  /** The key the link's "used" record names: the subject it acted on. */
  usePk(claims: C): string;
  /** The subject's word for each answer (a block's no is `denied`, a request's `declined`). */
  action(a: LinkAnswer): LinkUse["action"];
  /** Writes the answer together with the link's "used" record; or says why nothing was written. */
  act(ready: ReadyLink<C, R>, a: LinkAnswer, use: LinkUse, now: Date): Promise<D | { refused: string }>;
  /** An error that means the link or its subject moved on meanwhile; the link is shown as it now is. */
  movedOn(err: unknown): boolean;
  /** Attempts of the whole answer when its write loses a race (see retryOnConflict); 1: the subject retries inside. */
  conflictAttempts: number;
}

/**
 * The link family: `view` backs GET (never acts, whoever fetches it), `answer` backs the POST. Every subject's link is
 * single-use the same way: the page's CSRF token and the ticked box are checked, the answer is recorded with the
 * actor `link:<recipient>` and written together with the link's "used" record, so the link acts once.
 */
export function createLinkFamily<C extends AnyLinkClaims, Rec, R extends object, D extends object>(
  deps: LinkBaseDeps,
  subject: LinkSubject<C, Rec, R, D>,
) {
  async function view(claims: C): Promise<LinkViewOf<C, R>> {
    const [use, record] = await Promise.all([deps.links.findUse(claims.id), subject.read(claims)]);
    const state = await subject.state(claims, record, deps.clock.now(), use);
    if (state.kind === "used") return { kind: "used", claims, use: state.use };
    if (state.kind === "expired") return { kind: "expired", claims };
    if (state.kind === "superseded" || state.kind === "retry") return { kind: state.kind, claims, reason: state.reason };
    const { kind: _ready, ...shown } = state;
    return { kind: "ready", claims, ...shown, csrf: await linkCsrf(deps.secret, claims.id) } as ReadyLink<C, R>;
  }

  function answer(claims: C, a: LinkAnswer): Promise<LinkOutcomeOf<C, R, D>> {
    return retryOnConflict(
      async (): Promise<LinkOutcomeOf<C, R, D>> => {
        const v = await view(claims);
        if (v.kind !== "ready") return v as Exclude<LinkViewOf<C, R>, { kind: "ready" }>;
        const ready = v as ReadyLink<C, R>;
        const refusal = await checkForm(deps.secret, claims.id, a);
        if (refusal) return { kind: "refused", view: ready, message: refusal };
        const now = deps.clock.now();
        const use: LinkUse = {
          tokenId: claims.id,
          pk: subject.usePk(claims),
          action: subject.action(a),
          by: linkActor(claims),
          at: now.toISOString(),
          expiresAt: claims.expiresAt,
        };
        try {
          const done = await subject.act(ready, a, use, now);
          if ("refused" in done) return { kind: "refused", view: ready, message: done.refused };
          return { kind: "done", claims, ...done };
        } catch (err) {
          if (!subject.movedOn(err)) throw err;
          // Used meanwhile, or the subject moved on: nothing was written; say why.
          const again = await view(claims);
          if (again.kind !== "ready") return again as Exclude<LinkViewOf<C, R>, { kind: "ready" }>;
          return { kind: "refused", view: again as ReadyLink<C, R>, message: `${(err as Error).message}; nothing was changed.` };
        }
      },
      { attempts: subject.conflictAttempts },
    );
  }

  return { view, answer };
}
