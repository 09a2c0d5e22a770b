import { Duration } from "aws-cdk-lib";
import type { ITable } from "aws-cdk-lib/aws-dynamodb";
import type { ISecret } from "aws-cdk-lib/aws-secretsmanager";
import { Effect, PolicyStatement } from "aws-cdk-lib/aws-iam";
import { NagSuppressions } from "cdk-nag";
import { Cron, type Stack } from "sst/constructs";
import { awsActions, STAGE_TAG_KEY } from "@cbm/functions/contracts";
import { cbmFunction, INDEX_REASON, INDEX_RESOURCE, tableStatements } from "./lambda.js";

/**
 * EC2 reads of the request worker (the offering search, the tagged reservation that settles a purchase, the usage
 * sampler's interconnect status), from the functions' own list (packages/functions/src/contracts/aws-actions.ts).
 */
export const REQUEST_DESCRIBE_ACTIONS = awsActions("requests", "ec2").filter((a) => a.startsWith("ec2:Describe"));
export const REQUEST_PURCHASE_ACTION = awsActions("requests", "ec2").find((a) => a.startsWith("ec2:Purchase"))!;

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
  // What the worker buys must carry this stage's tag (the adapter adds it), and be in CBM_REGIONS when it is set.
  const stageTag = { [`aws:RequestTag/${STAGE_TAG_KEY}`]: opts.stage };
  const inRegions = opts.regions ? { "aws:RequestedRegion": opts.regions } : {};
  const statements = [
    ...tableStatements(opts.table),
    new PolicyStatement({ effect: Effect.ALLOW, actions: awsActions("requests", "secretsmanager"), resources: [opts.linkKey.secretArn] }),
    new PolicyStatement({ effect: Effect.ALLOW, actions: REQUEST_DESCRIBE_ACTIONS, resources: ["*"] }),
    new PolicyStatement({
      effect: Effect.ALLOW,
      actions: [REQUEST_PURCHASE_ACTION],
      resources,
      conditions: { StringEquals: { ...stageTag, ...inRegions } },
    }),
    // Tag-on-create (the intent tag that settles an ambiguous purchase) needs CreateTags, only as part of that purchase.
    new PolicyStatement({
      effect: Effect.ALLOW,
      actions: ["ec2:CreateTags"],
      resources,
      conditions: { StringEquals: { "ec2:CreateAction": "PurchaseCapacityBlock", ...stageTag, ...inRegions } },
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
    statements.push(new PolicyStatement({ effect: Effect.ALLOW, actions: awsActions("requests", "sns"), resources: [opts.topicArn] }));
  }
  const fn = cbmFunction(stack, "Requests", {
    stage: opts.stage,
    handler: "packages/functions/src/composition/handlers/requests.handler",
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
