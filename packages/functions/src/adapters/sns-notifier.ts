import { PublishCommand, type SNSClient } from "@aws-sdk/client-sns";
import { InfrastructureError, type Notification, type Notifier } from "@cbm/core";

export interface SnsNotifierOptions {
  client: SNSClient;
  topicArn: string;
}

/**
 * SNS subjects must be ASCII without line breaks and under 100 characters, or Publish fails
 * (and the e-mail is lost), so the subject is cleaned here rather than trusted.
 */
export function snsSubject(subject: string): string {
  const ascii = subject
    .replace(/\s+/g, " ")
    .normalize("NFKD")
    .replace(/[—–]/g, "-")
    .replace(/…/g, "...")
    .replace(/[^\x20-\x7e]/g, "")
    .replace(/ +/g, " ")
    .trim();
  const cleaned = /^[A-Za-z0-9\p{P}]/u.test(ascii) ? ascii : `CBM: ${ascii}`;
  return cleaned.length <= 99 ? cleaned : `${cleaned.slice(0, 96)}...`;
}

/** Notifications as SNS messages on one topic (e-mail subscription in AWS); an approver is reachable. */
export function createSnsNotifier(opts: SnsNotifierOptions): Notifier {
  return {
    canReachApprover: true,
    async send(n: Notification) {
      try {
        await opts.client.send(
          new PublishCommand({
            TopicArn: opts.topicArn,
            Subject: snsSubject(n.subject),
            Message: n.body,
            MessageAttributes: {
              kind: { DataType: "String", StringValue: n.kind },
              pk: { DataType: "String", StringValue: n.pk },
              key: { DataType: "String", StringValue: n.key },
            },
          }),
        );
      } catch (err) {
        throw new InfrastructureError(`SNS Publish failed: ${(err as Error).message}`, (err as { name?: string }).name, { cause: err });
      }
    },
  };
}
