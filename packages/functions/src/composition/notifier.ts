import { SNSClient } from "@aws-sdk/client-sns";
import type { Notifier } from "@cbm/core";
import { SNS_LIMITS, sdkClientConfig } from "../adapters/call-limits";
import { createLogOnlyNotifier } from "../adapters/console-log-notifier";
import { createSnsNotifier } from "../adapters/sns-notifier";
import type { Config } from "../platform/config";
import type { Logger } from "../platform/observability/logger";

/** SNS (bounded calls) when an approval topic is configured; otherwise notices are only logged, and nobody can approve. */
export function notifierFrom(config: Pick<Config, "notifyTopicArn" | "region">, logger: Logger): Notifier {
  if (!config.notifyTopicArn) return createLogOnlyNotifier(logger);
  return createSnsNotifier({
    client: new SNSClient({ ...(config.region ? { region: config.region } : {}), ...sdkClientConfig(SNS_LIMITS) }),
    topicArn: config.notifyTopicArn,
  });
}
