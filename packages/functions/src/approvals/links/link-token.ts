import { LinkClaims, RequestLinkClaims, type AnyLinkClaims } from "@cbm/core";
import { openJson, sealJson, tag, verifyTag, type SigningSecret } from "./signing";

/** The token in an approval link (a block's or a request's): the claims, signed with the link key. */
export function signLink(secret: SigningSecret, claims: AnyLinkClaims): Promise<string> {
  return sealJson(secret, "approval-link", claims);
}

/** The claims of a genuine token, or undefined for anything forged, altered or malformed. */
export async function verifyLink(secret: SigningSecret, token: string): Promise<AnyLinkClaims | undefined> {
  const value = await openJson(secret, "approval-link", token);
  // A request's claims name their subject; a block's (the first kind of link) have none.
  const isRequest = typeof value === "object" && value !== null && "subject" in value;
  const parsed = (isRequest ? RequestLinkClaims : LinkClaims).safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

/**
 * The CSRF token of a link's confirmation form: a MAC of the link's id. Only a page rendered by CBM carries it, so
 * another site cannot submit the form for someone who has the link open.
 */
export function linkCsrf(secret: SigningSecret, tokenId: string): Promise<string> {
  return tag(secret, "link-csrf", tokenId);
}

export function verifyLinkCsrf(secret: SigningSecret, tokenId: string, given: string | undefined): Promise<boolean> {
  return verifyTag(secret, "link-csrf", tokenId, given);
}
