import { Effect, PolicyStatement } from "aws-cdk-lib/aws-iam";
import { Rule } from "aws-cdk-lib/aws-events";
import { LambdaFunction } from "aws-cdk-lib/aws-events-targets";
import { NagSuppressions } from "cdk-nag";
import { type StackContext, use } from "sst/constructs";
import { ALL_CAPACITY_BLOCK_DETAIL_TYPES } from "../packages/functions/src/events/detail-types.js";
import { Database } from "./database.js";
import { cbmFunction, INDEX_REASON, INDEX_RESOURCE, tableStatements } from "./lambda.js";
import { Notifications } from "./notifications.js";

/**
 * AWS's own Capacity Block events (delivered, expiration warning) forwarded as notices: an EventBridge rule on the
 * default bus matches source aws.ec2 and both spellings of each detail-type, and a small function looks up the
 * managed block and publishes to the approval topic (or logs, without one).
 */
export function CapacityEvents({ stack, app }: StackContext) {
  const { table } = use(Database);
  const { topic } = use(Notifications);
  const environment: Record<string, string> = { TABLE_NAME: table.tableName };
  const statements = [...tableStatements(table)];
  if (topic) {
    environment.NOTIFY_TOPIC_ARN = topic.topicArn;
    statements.push(new PolicyStatement({ effect: Effect.ALLOW, actions: ["sns:Publish"], resources: [topic.topicArn] }));
  }
  const fn = cbmFunction(stack, "CapacityEventsHandler", {
    stage: app.stage,
    handler: "packages/functions/src/handlers/capacity-events.handler",
    description: `CBM: forwards AWS Capacity Block events as notices (${app.stage})`,
    timeoutSeconds: 10,
    memoryMb: 256,
    environment,
    statements,
  });
  const rule = new Rule(stack, "CapacityBlockEvents", {
    description: "AWS Capacity Block delivered and expiration-warning events (both detail-type spellings)",
    eventPattern: { source: ["aws.ec2"], detailType: ALL_CAPACITY_BLOCK_DETAIL_TYPES },
  });
  rule.addTarget(new LambdaFunction(fn, { retryAttempts: 2 }));
  if (fn.role) {
    NagSuppressions.addResourceSuppressions(fn.role, [{ id: "AwsSolutions-IAM5", reason: INDEX_REASON, appliesTo: [INDEX_RESOURCE] }], true);
  }
  return { rule, fn };
}
