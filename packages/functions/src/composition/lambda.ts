import { ConfigError, type Notifier } from "@cbm/core";
import { systemClock } from "../adapters/clock";
import { createSecretsManagerSource } from "../adapters/secrets-manager";
import type { Config } from "../platform/config";
import { stdoutSink } from "../platform/observability/logger";
import { createMetrics } from "../platform/observability/metrics";
import type { Environment } from "./assembly";
import { serviceLogger } from "./logger";
import { boundedSecretsClient } from "./secrets-client";

/**
 * The environment of a Lambda: AWS's endpoints (or the configured overrides), the system clock, secrets from
 * Secrets Manager (each call bounded), logs and metrics on stdout. The scheduled functions pass their notifier
 * (composition/notifier.ts), so the HTTP functions' bundles carry no SNS client.
 */
export function lambdaEnvironment(config: Config, parts: { notifier?: Notifier } = {}): Environment {
  const secret = (secretId: string) => createSecretsManagerSource({ client: boundedSecretsClient(config), secretId });
  const linkKey = config.linkKeySecretId ? secret(config.linkKeySecretId) : undefined;
  return {
    tableName: config.tableName,
    endpoints: {
      ...(config.endpoints.dynamodb ? { dynamodb: config.endpoints.dynamodb } : {}),
      ...(config.endpoints.ec2 ? { ec2: config.endpoints.ec2 } : {}),
    },
    clock: systemClock,
    logger: (service) => serviceLogger(config, service),
    // CloudWatch Embedded Metric Format on stdout: Lambda ships it with the logs; the alarms read it by `stage`.
    metrics: () => createMetrics({ sink: stdoutSink, ...(config.stage ? { defaults: { stage: config.stage } } : {}) }),
    timings: config.timings,
    reminderOffsetsMs: config.reminderOffsetsMs,
    ...(config.region ? { region: config.region } : {}),
    ...(config.apiKeySecretId ? { apiKey: secret(config.apiKeySecretId) } : {}),
    ...(linkKey ? { linkKey: { current: () => linkKey.apiKey(), refresh: () => linkKey.refresh!() } } : {}),
    ...(config.linkRecipient ? { linkRecipient: config.linkRecipient } : {}),
    ...(config.autoApproval ? { autoApproval: true } : {}),
    ...(config.apiUrl ? { apiUrl: config.apiUrl } : {}),
    ...(config.accountId ? { accountId: config.accountId } : {}),
    ...(config.stage ? { stage: config.stage } : {}),
    ...(parts.notifier ? { notifier: parts.notifier } : {}),
  };
}

/**
 * A handler module's export outside Lambda: importing a handler file (tests, local mode, the bundle checks) must not
 * need the environment, and calling it there is a mistake that should say so.
 */
export function lambdaOnly(name: string): () => never {
  return () => {
    throw new ConfigError(`composition/handlers/${name}.handler runs in Lambda only; use the composition (composition/) elsewhere`);
  };
}

/** True inside a Lambda container. */
export const inLambda = (env: Record<string, string | undefined>) => env.AWS_LAMBDA_FUNCTION_NAME !== undefined;
