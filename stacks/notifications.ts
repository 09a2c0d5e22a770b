import { Topic } from "aws-cdk-lib/aws-sns";
import { EmailSubscription } from "aws-cdk-lib/aws-sns-subscriptions";
import { NagSuppressions } from "cdk-nag";
import { type StackContext } from "sst/constructs";
import { adminEmail } from "./stage.js";

/**
 * Approval requests go to an SNS topic with an e-mail subscription, but only when `ADMIN_EMAIL` is set at deploy.
 * Without it there is no topic at all, the tick gets no `NOTIFY_TOPIC_ARN`, and blocks that require approval are
 * approved automatically (original README behaviour).
 */
export function Notifications({ stack, app }: StackContext) {
  const email = adminEmail();
  if (!email) return { topic: undefined };

  const topic = new Topic(stack, "Approvals", {
    displayName: `Capacity Block Manager (${app.stage})`,
    enforceSSL: true,
  });
  topic.addSubscription(new EmailSubscription(email));
  NagSuppressions.addResourceSuppressions(topic, [
    {
      id: "AwsSolutions-SNS2",
      reason:
        "Messages name a block, its end date and an offering's fee; no secrets. The AWS-managed aws/sns key would " +
        "stop CloudWatch alarms from publishing here (its key policy cannot grant cloudwatch.amazonaws.com), and a " +
        "customer-managed key per stage costs more than the data is worth. TLS in transit is enforced (SNS3).",
    },
  ]);
  stack.addOutputs({ NotifyTopicArn: topic.topicArn });
  return { topic };
}
