import type { Clock, LinkUse, LinkUseStore } from "@cbm/core";
import { verifyLinkCsrf } from "./link-token";
import type { SigningSecret } from "./signing";

/** What every kind of link needs: the single-use store, the time, and the link key (CSRF tokens). */
export interface LinkBaseDeps {
  links: LinkUseStore;
  clock: Clock;
  secret: SigningSecret;
}

/** A link that changes nothing, whatever its subject, and why. */
export type SpentLinkView<C> =
  | { kind: "used"; claims: C; use: LinkUse }
  | { kind: "expired"; claims: C }
  | { kind: "superseded"; claims: C; reason: string };

/** A person's answer on a link's confirmation page, as the route parsed it from the form. */
export interface LinkAnswer {
  action: "approve" | "deny";
  justification?: string;
  /** The "I have read the terms" box: a form submitted by a scanner with its defaults leaves it unticked. */
  confirmed: boolean;
  csrf?: string;
}

/**
 * The guards every link's form passes before it acts: the CSRF token of the page CBM rendered for this link, and the
 * ticked box. Returns why nothing was changed, or undefined when the answer may act.
 */
export async function checkForm(secret: SigningSecret, tokenId: string, a: LinkAnswer): Promise<string | undefined> {
  if (!(await verifyLinkCsrf(secret, tokenId, a.csrf)))
    return "This form is not the one CBM showed for this link. Open the link again and answer there.";
  if (!a.confirmed) return "Tick the box to confirm that you read the terms; nothing was changed.";
  return undefined;
}
