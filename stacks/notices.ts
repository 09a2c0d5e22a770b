import { Duration } from "aws-cdk-lib";
import { Effect, PolicyStatement } from "aws-cdk-lib/aws-iam";
import { Rule, Schedule } from "aws-cdk-lib/aws-events";
import { LambdaFunction } from "aws-cdk-lib/aws-events-targets";
import { SnsDestination } from "aws-cdk-lib/aws-lambda-destinations";
import { NagSuppressions } from "cdk-nag";
import { type StackContext, use } from "sst/constructs";
import { ALL_CAPACITY_BLOCK_DETAIL_TYPES, awsActions, CAPACITY_BLOCK_EVENT_SOURCE } from "@cbm/functions/contracts";
import { Api } from "./api.js";
import { Database } from "./database.js";
import { cbmFunction, INDEX_REASON, INDEX_RESOURCE, tableStatements } from "./lambda.js";
import { approvalsTopicArn, Notifications } from "./notifications.js";
import { forwardCapacityBlockEvents } from "./event-forwarding.js";
import { expiryRemindersSetting, purchaseRegions } from "./stage.js";

/** How often the expiry reminders are swept: a reminder goes out at most this late. */
export const REMINDER_SCHEDULE = "rate(5 minutes)";

/**
 * Notices that do not come from a scheduler decision, in one small function without an EC2 client: AWS's own
 * Capacity Block events (delivered, expiration warning; an EventBridge rule on the default bus matches source
 * aws.ec2 and both spellings of each detail-type), and the expiry reminders for every managed block on a 5-minute
 * schedule. It publishes to the approval topic (or only logs, without one).
 */
export function Notices({ stack, app }: StackContext) {
  const { table } = use(Database);
  const { topic, alarms } = use(Notifications);
  const { url } = use(Api);
  const environment: Record<string, string> = { TABLE_NAME: table.tableName, API_URL: url };
  // Checked here with the function's own parser: a bad value fails the deploy, not every cold start of the notices.
  const reminders = expiryRemindersSetting();
  if (reminders) environment.EXPIRY_REMINDERS = reminders;
  const statements = [...tableStatements(table)];
  // By name, not by import: a redeploy without ADMIN_EMAIL must be able to delete the topic.
  if (topic) {
    const topicArn = approvalsTopicArn(stack, app);
    environment.NOTIFY_TOPIC_ARN = topicArn;
    statements.push(new PolicyStatement({ effect: Effect.ALLOW, actions: awsActions("notices", "sns"), resources: [topicArn] }));
  }
  const fn = cbmFunction(stack, "NoticesHandler", {
    stage: app.stage,
    handler: "packages/functions/src/composition/handlers/notices.handler",
    description: `CBM: AWS Capacity Block events and expiry reminders as notices (${app.stage})`,
    timeoutSeconds: 30,
    memoryMb: 256,
    environment,
    statements,
    // AWS sends each Capacity Block event once: a failed notice is retried twice within the hour (a repeated reminder
    // is claimed once, so it is not sent twice), and one that still fails goes to the alarm topic with its event.
    extra: { retryAttempts: 2, maxEventAge: Duration.hours(1), onFailure: new SnsDestination(alarms) },
  });
  const events = new Rule(stack, "CapacityBlockEvents", {
    description: "AWS Capacity Block delivered and expiration-warning events (both detail-type spellings)",
    eventPattern: { source: [CAPACITY_BLOCK_EVENT_SOURCE], detailType: ALL_CAPACITY_BLOCK_DETAIL_TYPES },
  });
  events.addTarget(new LambdaFunction(fn, { retryAttempts: 2 }));
  // The same events from every other region CBM may buy in, forwarded to this region's bus.
  const forwardedFrom = forwardCapacityBlockEvents(stack, app, {
    regions: purchaseRegions() ?? [],
    eventPattern: { source: [CAPACITY_BLOCK_EVENT_SOURCE], "detail-type": [...ALL_CAPACITY_BLOCK_DETAIL_TYPES] },
  });
  // A missed sweep is made up by the next one (each reminder is claimed once): EventBridge does not retry it.
  const sweep = new Rule(stack, "ExpiryReminders", {
    description: "Expiry reminders before every managed block's end",
    schedule: Schedule.expression(REMINDER_SCHEDULE),
  });
  sweep.addTarget(new LambdaFunction(fn, { retryAttempts: 0, maxEventAge: Duration.seconds(300) }));
  if (fn.role) {
    NagSuppressions.addResourceSuppressions(
      fn.role,
      [{ id: "AwsSolutions-IAM5", reason: INDEX_REASON, appliesTo: [INDEX_RESOURCE] }],
      true,
    );
  }
  return { events, reminders: sweep, fn, forwardedFrom };
}
