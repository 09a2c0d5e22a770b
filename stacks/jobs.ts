import { Duration } from "aws-cdk-lib";
import { Effect, PolicyStatement } from "aws-cdk-lib/aws-iam";
import { NagSuppressions } from "cdk-nag";
import { Cron, type StackContext, use } from "sst/constructs";
import { awsActions, STAGE_TAG_KEY } from "@cbm/functions/contracts";
import { Api } from "./api.js";
import { Database } from "./database.js";
import { Links } from "./links.js";
import { cbmFunction, INDEX_REASON, INDEX_RESOURCE, tableStatements } from "./lambda.js";
import { approvalsTopicArn, Notifications } from "./notifications.js";
import { buyingJobsScheduled, DEV_BUYING_NOTICE } from "./dev-mode.js";
import { requestsJob } from "./requests-job.js";
import { adminEmail, purchaseRegions, tickTimingEnvironment } from "./stage.js";

/** The scheduler's period; each tick does one minute's work. */
export const TICK_SCHEDULE = "rate(1 minute)";
/** Below the period, so a tick has ended before the next one starts; the tick stops taking work a few seconds earlier. */
export const TICK_TIMEOUT_SECONDS = 55;

/** The EC2 calls the tick makes, and nothing else: from the functions' own list (packages/functions/src/contracts/aws-actions.ts). */
export const EC2_DESCRIBE_ACTIONS = awsActions("tick", "ec2").filter((a) => a.startsWith("ec2:Describe"));
export const EC2_PURCHASE_ACTION = awsActions("tick", "ec2").find((a) => a.startsWith("ec2:Purchase"))!;
export const EC2_CLAIM_ACTION = awsActions("tick", "ec2").find((a) => a === "ec2:CreateTags")!;

/** This account's capacity reservations, in the named regions or (without CBM_REGIONS) in any. */
function reservationArns(stack: { partition: string; account: string }, regions: string[] | undefined): string[] {
  const arn = (region: string) => `arn:${stack.partition}:ec2:${region}:${stack.account}:capacity-reservation/*`;
  return regions ? regions.map(arn) : [arn("*")];
}

/**
 * The purchase statement, as tight as IAM allows. The Service Authorization Reference ("Actions, resources, and
 * condition keys for Amazon EC2", PurchaseCapacityBlockExtension) gives the action one resource type,
 * capacity-reservation (`arn:<partition>:ec2:<region>:<account>:capacity-reservation/<id>`), with the keys
 * aws:ResourceTag, ec2:CapacityReservationFleet, ec2:Region and ec2:ResourceTag. So: reservations of this account
 * only, any id (blocks are registered at run time, not at deploy), and only those tagged `cbm:stage=<this stage>`:
 * a personal stage that registers a production block cannot buy for it. With CBM_REGIONS, only those regions, both
 * in the ARN and as aws:RequestedRegion. Without CBM_REGIONS the region stays `*`: a block record names its own.
 */
export function purchaseStatement(
  stack: { partition: string; account: string },
  regions: string[] | undefined,
  stage: string,
): PolicyStatement {
  return new PolicyStatement({
    effect: Effect.ALLOW,
    actions: [EC2_PURCHASE_ACTION],
    resources: reservationArns(stack, regions),
    conditions: {
      StringEquals: { [`aws:ResourceTag/${STAGE_TAG_KEY}`]: stage, ...(regions ? { "aws:RequestedRegion": regions } : {}) },
    },
  });
}

/**
 * The claim statement: the tick tags a hand-registered reservation `cbm:stage=<this stage>` before it may buy for
 * it (packages/functions/src/tick/claim.ts). CreateTags on capacity-reservation supports aws:RequestTag,
 * aws:TagKeys and aws:ResourceTag, so: only that one tag key, only this stage's value, and only on a reservation
 * that has no stage tag yet (`Null` true: the key is absent). The first stage to claim a reservation is its only
 * buyer; no stage can re-tag another's, so the purchase statement's tag condition cannot be talked around.
 */
export function claimStatement(
  stack: { partition: string; account: string },
  regions: string[] | undefined,
  stage: string,
): PolicyStatement {
  return new PolicyStatement({
    effect: Effect.ALLOW,
    actions: [EC2_CLAIM_ACTION],
    resources: reservationArns(stack, regions),
    conditions: {
      StringEquals: { [`aws:RequestTag/${STAGE_TAG_KEY}`]: stage, ...(regions ? { "aws:RequestedRegion": regions } : {}) },
      "ForAllValues:StringEquals": { "aws:TagKeys": [STAGE_TAG_KEY] },
      Null: { [`aws:ResourceTag/${STAGE_TAG_KEY}`]: "true" },
    },
  });
}

/**
 * The scheduler tick on a 1-minute EventBridge schedule.
 *
 * Overlap: no reserved concurrency. Reserving even 1 fails the deploy in accounts whose concurrency quota is still
 * 10 (Lambda keeps 10 unreserved), and the tick does not need it: every state change is a conditional write and a
 * purchase needs a won intent, so two ticks cannot buy twice. The 55 s timeout keeps normal ticks from overlapping.
 *
 * No retries: a failed or late tick is not replayed (async retries 0, events older than 60 s dropped, EventBridge
 * retries 0); the next minute's tick re-reads the truth and does the work, so there is never a burst of stale ticks.
 */
export function Jobs({ stack, app }: StackContext) {
  const { table } = use(Database);
  const { topic } = use(Notifications);
  const { url } = use(Api);
  const { linkKey } = use(Links);

  // The tick signs the approval links its notices carry; LINK_RECIPIENT names who they reach (`link:<address>`).
  const environment: Record<string, string> = {
    TABLE_NAME: table.tableName,
    API_URL: url,
    LINK_KEY_SECRET_ID: linkKey.secretArn,
    ...tickTimingEnvironment(),
  };
  const email = adminEmail();
  if (email) environment.LINK_RECIPIENT = email;
  const statements = [
    ...tableStatements(table),
    new PolicyStatement({ effect: Effect.ALLOW, actions: awsActions("tick", "secretsmanager"), resources: [linkKey.secretArn] }),
    new PolicyStatement({ effect: Effect.ALLOW, actions: EC2_DESCRIBE_ACTIONS, resources: ["*"] }),
    purchaseStatement(stack, purchaseRegions(), app.stage),
    claimStatement(stack, purchaseRegions(), app.stage),
  ];
  // By name, not by import: a redeploy without ADMIN_EMAIL must be able to delete the topic.
  const topicArn = topic ? approvalsTopicArn(stack, app) : undefined;
  if (topicArn) {
    environment.NOTIFY_TOPIC_ARN = topicArn;
    statements.push(new PolicyStatement({ effect: Effect.ALLOW, actions: awsActions("tick", "sns"), resources: [topicArn] }));
  }

  const tick = cbmFunction(stack, "Tick", {
    stage: app.stage,
    handler: "packages/functions/src/composition/handlers/tick.handler",
    description: `CBM scheduler tick (${app.stage})`,
    timeoutSeconds: TICK_TIMEOUT_SECONDS,
    memoryMb: 512,
    environment,
    statements,
    extra: { retryAttempts: 0, maxEventAge: Duration.seconds(60) },
  });

  const buying = buyingJobsScheduled(app.mode);
  // The developer running sst dev must read this at once, not find it later in a template.
  if (!buying) console.warn(DEV_BUYING_NOTICE);
  const cron = new Cron(stack, "Scheduler", {
    schedule: TICK_SCHEDULE,
    enabled: buying,
    job: { function: tick, cdk: { target: { retryAttempts: 0, maxEventAge: Duration.seconds(60) } } },
  });

  if (tick.role) {
    NagSuppressions.addResourceSuppressions(
      tick.role,
      [
        {
          id: "AwsSolutions-IAM5",
          reason: "EC2 Describe* calls support no resource-level permissions (Resource must be *).",
          appliesTo: ["Resource::*"],
        },
        {
          id: "AwsSolutions-IAM5",
          reason:
            "PurchaseCapacityBlockExtension and CreateTags are scoped to this account's capacity reservations; the " +
            "ids are the blocks people register at run time, so they cannot be listed at deploy. Tag conditions " +
            "limit both to this stage's reservations (CreateTags: only the stage tag, only on untagged ones); the " +
            "tick checks ownership, price cap and approval before it buys; CBM_REGIONS narrows the regions.",
          appliesTo: [
            { regex: "/^Resource::arn:<AWS::Partition>:ec2:[a-z0-9*-]+:(?:\\d{12}|<AWS::AccountId>):capacity-reservation\\/\\*$/g" },
          ],
        },
        { id: "AwsSolutions-IAM5", reason: INDEX_REASON, appliesTo: [INDEX_RESOURCE] },
      ],
      true,
    );
  }
  const requests = requestsJob(stack, {
    stage: app.stage,
    table,
    ...(topicArn ? { topicArn } : {}),
    apiUrl: url,
    schedule: TICK_SCHEDULE,
    scheduled: buying,
    ...(purchaseRegions() ? { regions: purchaseRegions() } : {}),
    linkKey,
    ...(email ? { linkRecipient: email } : {}),
  });
  return { tick, cron, buying, ...requests };
}
