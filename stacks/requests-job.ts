import { Duration } from "aws-cdk-lib";
import type { ITable } from "aws-cdk-lib/aws-dynamodb";
import type { ISecret } from "aws-cdk-lib/aws-secretsmanager";
import { Effect, PolicyStatement } from "aws-cdk-lib/aws-iam";
import { NagSuppressions } from "cdk-nag";
import { Cron, type Stack } from "sst/constructs";
import { cbmFunction, INDEX_REASON, INDEX_RESOURCE, tableStatements } from "./lambda.js";

/** EC2 reads of the request worker: the offering search and the tagged reservation that settles a purchase. */
export const REQUEST_DESCRIBE_ACTIONS = ["ec2:DescribeCapacityBlockOfferings", "ec2:DescribeCapacityReservations"];
export const REQUEST_PURCHASE_ACTION = "ec2:PurchaseCapacityBlock";

/**
 * The capacity-request worker: its own function on the tick's 1-minute schedule (the tick's bundle is at its size
 * budget). Same overlap and retry rules as the tick: conditional writes and a won intent make overlapping runs
 * safe, and a missed run is not replayed.
 */
export function requestsJob(
  stack: Stack,
  opts: {
    stage: string;
    table: ITable;
    /** The approval topic, by name (see approvalsTopicArn). */
    topicArn?: string;
    apiUrl: string;
    schedule: string;
    /** False under sst dev unless asked (stacks/dev-mode.ts): the rule is deployed disabled. */
    scheduled: boolean;
    regions?: string[];
    /** Signs the approval links of quote notices (read only; never the API key). */
    linkKey: ISecret;
    linkRecipient?: string;
  },
) {
  const reservationArn = (region: string) => `arn:${stack.partition}:ec2:${region}:${stack.account}:capacity-reservation/*`;
  const resources = opts.regions ? opts.regions.map(reservationArn) : [reservationArn("*")];
  const statements = [
    ...tableStatements(opts.table),
    new PolicyStatement({ effect: Effect.ALLOW, actions: ["secretsmanager:GetSecretValue"], resources: [opts.linkKey.secretArn] }),
    new PolicyStatement({ effect: Effect.ALLOW, actions: REQUEST_DESCRIBE_ACTIONS, resources: ["*"] }),
    new PolicyStatement({ effect: Effect.ALLOW, actions: [REQUEST_PURCHASE_ACTION], resources }),
    // Tag-on-create (the intent tag that settles an ambiguous purchase) needs CreateTags, only as part of that purchase.
    new PolicyStatement({
      effect: Effect.ALLOW,
      actions: ["ec2:CreateTags"],
      resources,
      conditions: { StringEquals: { "ec2:CreateAction": "PurchaseCapacityBlock" } },
    }),
  ];
  const environment: Record<string, string> = {
    TABLE_NAME: opts.table.tableName,
    API_URL: opts.apiUrl,
    LINK_KEY_SECRET_ID: opts.linkKey.secretArn,
  };
  if (opts.linkRecipient) environment.LINK_RECIPIENT = opts.linkRecipient;
  if (opts.topicArn) {
    environment.NOTIFY_TOPIC_ARN = opts.topicArn;
    statements.push(new PolicyStatement({ effect: Effect.ALLOW, actions: ["sns:Publish"], resources: [opts.topicArn] }));
  }
  const fn = cbmFunction(stack, "Requests", {
    stage: opts.stage,
    handler: "packages/functions/src/handlers/requests.handler",
    description: `CBM capacity-request worker (${opts.stage})`,
    timeoutSeconds: 55,
    memoryMb: 512,
    environment,
    statements,
    extra: { retryAttempts: 0, maxEventAge: Duration.seconds(60) },
  });
  const cron = new Cron(stack, "RequestsScheduler", {
    schedule: opts.schedule as never,
    enabled: opts.scheduled,
    job: { function: fn, cdk: { target: { retryAttempts: 0, maxEventAge: Duration.seconds(60) } } },
  });
  if (fn.role) {
    NagSuppressions.addResourceSuppressions(
      fn.role,
      [
        {
          id: "AwsSolutions-IAM5",
          reason: "EC2 Describe* calls support no resource-level permissions (Resource must be *).",
          appliesTo: ["Resource::*"],
        },
        {
          id: "AwsSolutions-IAM5",
          reason:
            "PurchaseCapacityBlock creates a reservation whose id cannot be known at deploy: this account's capacity reservations, CBM_REGIONS narrows the regions. The worker checks caps and approval before it buys.",
          appliesTo: [
            { regex: "/^Resource::arn:<AWS::Partition>:ec2:[a-z0-9*-]+:(?:\\d{12}|<AWS::AccountId>):capacity-reservation\\/\\*$/g" },
          ],
        },
        { id: "AwsSolutions-IAM5", reason: INDEX_REASON, appliesTo: [INDEX_RESOURCE] },
      ],
      true,
    );
  }
  return { requests: fn, requestsCron: cron };
}
