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

/**
 * What a link approves, by its subject: a block's extension in `window` (the tick's notices), or a capacity request's
 * quote, exactly `terms`, for a day at most (see requestLinkExpiresAt).
 */
export type LinkTarget =
  | { subject: "block"; block: Block; window: string; offering: ExtensionOffering }
  | { subject: "request"; terms: RequestTerms; now: Date };

/** Makes the review link an approval notice carries; the tick and the request worker ask for one per notice. */
export interface ApprovalLinkIssuer {
  linkFor(what: LinkTarget): Promise<string>;
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
    linkFor(what) {
      const link = { id: opts.ids.next(), to: opts.recipient };
      if (what.subject === "request")
        return url(requestLinkClaimsFor(what.terms, { ...link, expiresAt: requestLinkExpiresAt(what.terms, what.now) }));
      const { block, window, offering } = what;
      return url(linkClaimsFor(block, window, offering, { ...link, expiresAt: linkExpiresAt(block, window, settings) }));
    },
  };
}
