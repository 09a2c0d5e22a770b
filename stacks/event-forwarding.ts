import { type Stack } from "aws-cdk-lib";
import { Effect, PolicyStatement, Role, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { AwsCustomResource, AwsCustomResourcePolicy, PhysicalResourceId } from "aws-cdk-lib/custom-resources";
import { NagSuppressions } from "cdk-nag";
import { type App } from "sst/constructs";

/**
 * AWS sends a Capacity Block event to the default event bus of the block's own region, and the Notices rule is in
 * the deploy region only. SST v2 deploys every stack to one region (it refuses `env` per stack), so for each other
 * region in CBM_REGIONS a custom resource puts a rule there that forwards the same events to this region's default
 * bus, where the Notices rule matches them like local ones. Same account: the forwarding role is all the target bus
 * needs, no bus policy.
 */
export function forwardCapacityBlockEvents(
  stack: Stack,
  app: App,
  opts: { regions: readonly string[]; eventPattern: { source: string[]; "detail-type": string[] } },
): string[] {
  const others = opts.regions.filter((r) => r !== stack.region);
  if (others.length === 0) return [];
  const homeBus = `arn:${stack.partition}:events:${stack.region}:${stack.account}:event-bus/default`;
  const role = new Role(stack, "ForwardCapacityBlockEventsRole", {
    assumedBy: new ServicePrincipal("events.amazonaws.com"),
    description: "EventBridge: forwards Capacity Block events from other regions to this region's default bus",
  });
  role.addToPolicy(new PolicyStatement({ effect: Effect.ALLOW, actions: ["events:PutEvents"], resources: [homeBus] }));

  const ruleName = app.logicalPrefixedName("forward-capacity-blocks");
  const ruleArns = others.map((r) => `arn:${stack.partition}:events:${r}:${stack.account}:rule/${ruleName}`);
  const policy = AwsCustomResourcePolicy.fromStatements([
    new PolicyStatement({
      effect: Effect.ALLOW,
      actions: ["events:PutRule", "events:PutTargets", "events:RemoveTargets", "events:DeleteRule"],
      resources: ruleArns,
    }),
    new PolicyStatement({ effect: Effect.ALLOW, actions: ["iam:PassRole"], resources: [role.roleArn] }),
  ]);
  for (const region of others) {
    const id = `ForwardCapacityBlockEvents-${region}`;
    const call = (action: string, parameters: Record<string, unknown>) => ({
      service: "EventBridge",
      action,
      region,
      parameters,
      physicalResourceId: PhysicalResourceId.of(`${ruleName}@${region}`),
    });
    const rule = new AwsCustomResource(stack, `${id}-Rule`, {
      onUpdate: call("PutRule", { Name: ruleName, EventPattern: JSON.stringify(opts.eventPattern), State: "ENABLED" }),
      onDelete: call("DeleteRule", { Name: ruleName }),
      policy,
      installLatestAwsSdk: false,
    });
    const target = new AwsCustomResource(stack, `${id}-Target`, {
      onUpdate: call("PutTargets", { Rule: ruleName, Targets: [{ Id: "home", Arn: homeBus, RoleArn: role.roleArn }] }),
      onDelete: call("RemoveTargets", { Rule: ruleName, Ids: ["home"] }),
      policy,
      installLatestAwsSdk: false,
    });
    target.node.addDependency(rule);
  }
  // CDK's one provider function for every AwsCustomResource of the stack: deploy-time only, CDK's role and runtime.
  const provider = stack.node.tryFindChild(AwsCustomResource.PROVIDER_FUNCTION_UUID.replace(/-/g, "").replace(/^/, "AWS"));
  if (provider) {
    NagSuppressions.addResourceSuppressions(
      provider,
      [
        {
          id: "AwsSolutions-IAM4",
          reason:
            "CDK's AwsCustomResource provider (deploy-time only: it puts the forwarding rules) runs with AWSLambdaBasicExecutionRole; CBM cannot change it.",
          appliesTo: ["Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"],
        },
        {
          id: "AwsSolutions-L1",
          reason: "CDK pins the runtime of its AwsCustomResource provider, a deploy-time function CBM cannot change.",
        },
      ],
      true,
    );
  }
  return others;
}
