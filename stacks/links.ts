import { Secret } from "aws-cdk-lib/aws-secretsmanager";
import { NagSuppressions } from "cdk-nag";
import { type StackContext } from "sst/constructs";

/**
 * The approval-link key: signs the tokens in approval links (and the console's session cookies and CSRF tokens, each
 * with a subkey of its own). It is a secret of its own, never the API key: a link in an e-mail must not carry
 * anything that unlocks the API. The tick reads it to sign links, the API to check them.
 */
export function Links({ stack, app }: StackContext) {
  const linkKey = new Secret(stack, "LinkKey", {
    description: `Capacity Block Manager approval-link signing key (${app.stage}); never the API key`,
    generateSecretString: { excludePunctuation: true, passwordLength: 64 },
  });
  NagSuppressions.addResourceSuppressions(linkKey, [
    {
      id: "AwsSolutions-SMG4",
      reason:
        "Rotating it by hand (put-secret-value) invalidates every open link and console session at once, which is " +
        "what a rotation after a leak needs; the functions re-read it after their cache expires, no rotation Lambda.",
    },
  ]);
  return { linkKey };
}
