import { APIGatewayClient } from "@aws-sdk/client-api-gateway";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { Clock } from "@cbm/core";
import { createApiGatewayKeys } from "../adapters/api-gateway-keys";
import { stageTags } from "../contracts/aws-actions";
import { randomApiKeys } from "../adapters/random-api-key";
import { createSecretsManagerRotationSecret } from "../adapters/secrets-manager-rotation";
import { stdoutSink } from "../platform/observability/logger";
import { createMetrics, type Metrics } from "../platform/observability/metrics";
import type { RotationConfig } from "../rotation/config";
import { createRotationHandler } from "../rotation/create-rotation-handler";
import { serviceLogger } from "./logger";
import type { Built } from "./safety";

/**
 * The API key's rotation (Secrets Manager's four steps) and the scheduled reconcile of API Gateway's keys. It buys
 * nothing and is not interactive: its clients keep the SDK's defaults, and its manifest is empty.
 */
export function assembleKeyRotation(
  config: RotationConfig,
  clock: Clock,
  // CloudWatch Embedded Metric Format on stdout, by `stage` as every CBM metric (tests pass their own).
  metrics: Metrics = createMetrics({ sink: stdoutSink, ...(config.stage ? { defaults: { stage: config.stage } } : {}) }),
): Built<ReturnType<typeof createRotationHandler>> {
  const region = config.region ? { region: config.region } : {};
  const fn = createRotationHandler({
    secretArn: config.secretArn,
    secret: createSecretsManagerRotationSecret({ client: new SecretsManagerClient(region), secretId: config.secretArn }),
    gateway: createApiGatewayKeys({
      client: new APIGatewayClient(region),
      usagePlanId: config.usagePlanId,
      namePrefix: config.namePrefix,
      // The rotation role may delete only keys tagged for its stage (stacks/secrets.ts): it tags the keys it creates.
      tags: stageTags(config.stage),
    }),
    keys: randomApiKeys,
    clock,
    logger: serviceLogger(config, "cbm-key-rotation", stdoutSink),
    namePrefix: config.namePrefix,
    metrics,
  });
  return { fn, safety: {} };
}
