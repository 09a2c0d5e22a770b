import { SNSClient } from "@aws-sdk/client-sns";
import { type Notification, type Notifier } from "@cbm/core";
import { type OutboxNotifier, sdkClientConfig, SNS_LIMITS, createSnsNotifier } from "@cbm/functions";

// Where local mode sends notices: the outbox always, SNS too with --aws and a topic.

/** Sends to every notifier; the outbox always keeps a copy so the API and CLI can list notifications. */
export function fanOut(outbox: OutboxNotifier, others: Notifier[]): Notifier {
  return {
    canReachApprover: true,
    async send(n: Notification) {
      await outbox.send(n);
      for (const o of others) await o.send(n);
    },
  };
}

export function snsNotifier(topicArn: string, region: string): Notifier {
  return createSnsNotifier({ client: new SNSClient({ region, ...sdkClientConfig(SNS_LIMITS) }), topicArn });
}
