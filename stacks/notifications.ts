import { ArnFormat, type Stack } from "aws-cdk-lib";
import { Effect, PolicyStatement, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { Topic } from "aws-cdk-lib/aws-sns";
import { EmailSubscription } from "aws-cdk-lib/aws-sns-subscriptions";
import { NagSuppressions } from "cdk-nag";
import { type App, type StackContext } from "sst/constructs";
import { adminEmail, alarmEmail, AUTO_APPROVAL_NOTICE } from "./stage.js";

const NO_KMS_REASON =
  "Messages name a block, its end date, an offering's fee or an alarm; no secrets. The AWS-managed aws/sns key would " +
  "stop CloudWatch alarms from publishing (its key policy cannot grant cloudwatch.amazonaws.com), and a " +
  "customer-managed key per stage costs more than the data is worth. TLS in transit is enforced (SNS3).";

/** The approval topic's name, fixed per stage so the stacks that publish to it need no export from this one. */
export const approvalsTopicName = (app: App) => app.logicalPrefixedName("approvals");

/**
 * The approval topic as the functions see it: an ARN built from its fixed name. No Fn::ImportValue, so a redeploy
 * without ADMIN_EMAIL can delete the topic (an exported value that another stack imports cannot be deleted).
 */
export function approvalsTopicArn(stack: Stack, app: App): string {
  return stack.formatArn({ service: "sns", resource: approvalsTopicName(app) });
}

/**
 * Two topics, two audiences. Approval requests go to the approval topic with an e-mail subscription, only when
 * `ADMIN_EMAIL` is set at deploy; without it there is no approval topic, the functions get no `NOTIFY_TOPIC_ARN`,
 * and blocks that require approval are approved automatically (original README behaviour). Alarms go to the alarm
 * topic, which every stage has (an operator subscribes to it; `ALARM_EMAIL` at deploy subscribes one address).
 */
export function Notifications({ stack, app }: StackContext) {
  const alarms = new Topic(stack, "Alarms", {
    topicName: app.logicalPrefixedName("alarms"),
    displayName: `Capacity Block Manager alarms (${app.stage})`,
    enforceSSL: true,
  });
  // enforceSSL writes a topic policy whose only statement is a Deny, and a topic policy replaces SNS's default one:
  // without this Allow, CloudWatch has no right to publish and every alarm action fails. Only this account's alarms.
  alarms.addToResourcePolicy(
    new PolicyStatement({
      sid: "CloudWatchAlarmsPublish",
      effect: Effect.ALLOW,
      principals: [new ServicePrincipal("cloudwatch.amazonaws.com")],
      actions: ["sns:Publish"],
      resources: [alarms.topicArn],
      conditions: {
        StringEquals: { "aws:SourceAccount": stack.account },
        ArnLike: {
          "aws:SourceArn": stack.formatArn({
            service: "cloudwatch",
            resource: "alarm",
            resourceName: "*",
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        },
      },
    }),
  );
  const alarmAddress = alarmEmail();
  if (alarmAddress) alarms.addSubscription(new EmailSubscription(alarmAddress));
  NagSuppressions.addResourceSuppressions(alarms, [{ id: "AwsSolutions-SNS2", reason: NO_KMS_REASON }]);
  stack.addOutputs({ AlarmTopicArn: alarms.topicArn });

  const email = adminEmail();
  if (!email) {
    // Said at synth, before CloudFormation changes anything: the deployer can still stop and set ADMIN_EMAIL.
    console.warn(AUTO_APPROVAL_NOTICE);
    return { topic: undefined, alarms };
  }
  const approvals = new Topic(stack, "Approvals", {
    topicName: approvalsTopicName(app),
    displayName: `Capacity Block Manager (${app.stage})`,
    enforceSSL: true,
  });
  approvals.addSubscription(new EmailSubscription(email));
  NagSuppressions.addResourceSuppressions(approvals, [{ id: "AwsSolutions-SNS2", reason: NO_KMS_REASON }]);
  stack.addOutputs({ NotifyTopicArn: approvals.topicArn });
  return { topic: approvals, alarms };
}
