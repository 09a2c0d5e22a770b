import {
  DEFAULT_ENGINE_SETTINGS,
  linkClaimsFor,
  linkExpiresAt,
  requestLinkClaimsFor,
  requestLinkExpiresAt,
  type Block,
  type RequestTerms,
  type EngineSettings,
  type ExtensionOffering,
  type Ids,
} from "@cbm/core";
import { signLink } from "./link-token";
import type { SigningSecret } from "./signing";

/** Makes the review link an approval notice carries; the tick asks for one per notice. */
export interface ApprovalLinkIssuer {
  linkFor(block: Block, window: string, offering: ExtensionOffering): Promise<string>;
  /** The link of a capacity request's quote: approves exactly `terms`, for a day at most (see requestLinkExpiresAt). */
  requestLinkFor(terms: RequestTerms, now: Date): Promise<string>;
}

export interface ApprovalLinkIssuerOptions {
  secret: SigningSecret;
  ids: Ids;
  /** The API's public URL (API_URL); links are `<apiUrl>/link/<token>`. */
  apiUrl: string;
  /** Who the notices reach (the approval topic's e-mail address, or a label): recorded as `link:<recipient>`. */
  recipient: string;
  settings?: Pick<EngineSettings, "windowOpensBeforeMs" | "windowClosesBeforeMs">;
}

/** Path of the confirmation page of a link token, under the API's base URL. */
export const LINK_PATH = "/link";

export function createApprovalLinkIssuer(opts: ApprovalLinkIssuerOptions): ApprovalLinkIssuer {
  const base = opts.apiUrl.replace(/\/+$/, "");
  const settings = opts.settings ?? DEFAULT_ENGINE_SETTINGS;
  const url = async (claims: Parameters<typeof signLink>[1]) => `${base}${LINK_PATH}/${await signLink(opts.secret, claims)}`;
  return {
    async linkFor(block, window, offering) {
      const claims = linkClaimsFor(block, window, offering, {
        id: opts.ids.next(),
        to: opts.recipient,
        expiresAt: linkExpiresAt(block, window, settings),
      });
      return url(claims);
    },
    requestLinkFor(terms, now) {
      return url(requestLinkClaimsFor(terms, { id: opts.ids.next(), to: opts.recipient, expiresAt: requestLinkExpiresAt(terms, now) }));
    },
  };
}
