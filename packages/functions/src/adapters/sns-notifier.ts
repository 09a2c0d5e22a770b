import { PublishCommand, type SNSClient } from "@aws-sdk/client-sns";
import { InfrastructureError, type Notification, type Notifier } from "@cbm/core";
import { SNS_LIMITS } from "./call-limits";

export interface SnsNotifierOptions {
  /** Build it with sdkClientConfig(SNS_LIMITS) for per-attempt timeouts and bounded retries. */
  client: SNSClient;
  topicArn: string;
  /** The whole Publish, retries included, whatever client was passed; default SNS_LIMITS.budgetMs (5 s). */
  timeoutMs?: number;
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
  const timeoutMs = opts.timeoutMs ?? SNS_LIMITS.budgetMs;
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
          // A stalled SNS must not hold the tick: the tick records the failure and the notice goes out on a later tick.
          { abortSignal: AbortSignal.timeout(timeoutMs) },
        );
      } catch (err) {
        throw new InfrastructureError(`SNS Publish failed: ${(err as Error).message}`, (err as { name?: string }).name, { cause: err });
      }
    },
  };
}
