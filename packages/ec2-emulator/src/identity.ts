import { isRegion } from "./regions";

const CREDENTIAL_SCOPE = /Credential=([^/,\s]+)\/\d{8}\/([^/,\s]+)\/[^/,\s]+\/aws4_request/;

/**
 * Who is calling and where: the region comes from the SigV4 credential scope, the account from the access key
 * (mapped with mapAccessKey, else the default account). Signatures are not checked.
 */
export function identify(
  authorization: string | undefined,
  accessKeys: ReadonlyMap<string, string>,
  defaults: { region: string; accountId: string },
): { region: string; accountId: string; accessKeyId?: string } {
  const m = authorization ? CREDENTIAL_SCOPE.exec(authorization) : null;
  if (!m) return { ...defaults };
  const [, accessKeyId, region] = m as unknown as [string, string, string];
  return {
    accessKeyId,
    region: isRegion(region) ? region : defaults.region,
    accountId: accessKeys.get(accessKeyId) ?? defaults.accountId,
  };
}
