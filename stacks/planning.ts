import { Effect, PolicyStatement } from "aws-cdk-lib/aws-iam";
import type { ITable } from "aws-cdk-lib/aws-dynamodb";
import { NagSuppressions } from "cdk-nag";
import type { Stack } from "sst/constructs";
import { awsActions, PLANNING_ROUTES } from "@cbm/functions/contracts";
import { cbmFunction, INDEX_REASON, INDEX_RESOURCE, tableStatements } from "./lambda.js";

/**
 * Routes served by the planning function (offerings search, capacity requests, reports). They are a function of
 * their own because they need the EC2 client, which the block API's bundle has no room for.
 */
export { PLANNING_ROUTES };

/** EC2 reads the planning API makes: the offering search only; it buys nothing. */
export const PLANNING_EC2_ACTIONS = awsActions("planning-api", "ec2");

export function planningFunction(stack: Stack, opts: { stage: string; table: ITable; apiSecretName: string; secretArn: string }) {
  const fn = cbmFunction(stack, "PlanningHandler", {
    stage: opts.stage,
    handler: "packages/functions/src/composition/handlers/planning-api.handler",
    description: `CBM planning API: offerings, capacity requests, reports (${opts.stage})`,
    // API Gateway gives up after 29 s; a search backs off at most ~2 s per region on the describe limit.
    timeoutSeconds: 10,
    memoryMb: 512,
    environment: { TABLE_NAME: opts.table.tableName, API_KEY_SECRET_ID: opts.apiSecretName },
    statements: [
      ...tableStatements(opts.table),
      new PolicyStatement({ effect: Effect.ALLOW, actions: awsActions("planning-api", "secretsmanager"), resources: [opts.secretArn] }),
      new PolicyStatement({ effect: Effect.ALLOW, actions: PLANNING_EC2_ACTIONS, resources: ["*"] }),
    ],
  });
  if (fn.role) {
    NagSuppressions.addResourceSuppressions(
      fn.role,
      [
        { id: "AwsSolutions-IAM5", reason: INDEX_REASON, appliesTo: [INDEX_RESOURCE] },
        {
          id: "AwsSolutions-IAM5",
          reason: "DescribeCapacityBlockOfferings supports no resource-level permissions: IAM only accepts `*`.",
          appliesTo: ["Resource::*"],
        },
      ],
      true,
    );
  }
  return fn;
}
