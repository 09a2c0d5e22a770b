/*
 * The approvals wing: how people approve. Signed single-use links of every kind (links/), the console (console/)
 * and the web function's route table (web-routes.ts). The tick and the request worker issue links through the
 * issuer exported here.
 */
export {
  createApprovalLinkIssuer,
  LINK_PATH,
  type ApprovalLinkIssuer,
  type ApprovalLinkIssuerOptions,
  type LinkTarget,
} from "./links/link-issuer";
export type { SigningSecret } from "./links/signing";
