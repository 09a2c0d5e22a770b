import { Stack } from "aws-cdk-lib";
import { NagSuppressions } from "cdk-nag";
import { type IConstruct } from "constructs";

/** Why every CBM function stays on nodejs22.x although cdk-nag knows a newer Node runtime. */
export const RUNTIME_REASON =
  "The Lambda runtime is pinned to nodejs22.x (DESIGN.md toolchain): the code, its tests and local mode run on Node " +
  "20/22, and a runtime bump is a deliberate, tested change rather than something a linter should trigger.";

/**
 * SST v2 adds a `CustomResourceHandler` function to every stack (SST's own deploy-time plumbing). CBM cannot change
 * its role or runtime; these suppressions say so instead of hiding the findings globally.
 */
export function suppressSstInternals(root: IConstruct): void {
  for (const child of root.node.children) {
    if (!(child instanceof Stack)) continue;
    const handler = child.node.tryFindChild("CustomResourceHandler");
    if (!handler) continue;
    NagSuppressions.addResourceSuppressions(
      handler,
      [
        {
          id: "AwsSolutions-IAM4",
          reason: "SST v2's per-stack custom-resource handler uses AWSLambdaBasicExecutionRole; SST creates it, not CBM.",
          appliesTo: ["Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"],
        },
        { id: "AwsSolutions-L1", reason: "SST v2 pins its custom-resource handler's runtime (nodejs22.x); CBM cannot change it." },
      ],
      true,
    );
  }
}
