import { APIGatewayClient } from "@aws-sdk/client-api-gateway";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { ConfigError } from "@cbm/core";
import { createApiGatewayKeys } from "../adapters/api-gateway-keys";
import { systemClock } from "../adapters/clock";
import { randomApiKeys } from "../adapters/random-api-key";
import { createSecretsManagerRotationSecret } from "../adapters/secrets-manager-rotation";
import { stdoutSink } from "../observability/logger";
import { loadRotationConfig } from "../rotation/config";
import { createRotationHandler } from "../rotation/create-rotation-handler";
import { serviceLogger } from "../composition/logger";
import { stageTags } from "../aws-actions";

export { createRotationHandler, type RotationHandlerDeps } from "../rotation/create-rotation-handler";

// Composition root: config parsed and clients built once per container, at cold start.
function compose() {
  const config = loadRotationConfig(process.env);
  const region = config.region ? { region: config.region } : {};
  return createRotationHandler({
    secretArn: config.secretArn,
    secret: createSecretsManagerRotationSecret({ client: new SecretsManagerClient(region), secretId: config.secretArn }),
    gateway: createApiGatewayKeys({
      client: new APIGatewayClient(region),
      usagePlanId: config.usagePlanId,
      namePrefix: config.namePrefix,
      tags: stageTags(config.stage),
    }),
    keys: randomApiKeys,
    clock: systemClock,
    logger: serviceLogger(config, "cbm-key-rotation", stdoutSink),
    namePrefix: config.namePrefix,
  });
}

/**
 * The Lambda entry point (stacks: `packages/functions/src/handlers/rotate-api-key.handler`): Secrets Manager's
 * rotation steps for the API key, and the scheduled reconcile of API Gateway's keys. Outside Lambda, importing this
 * file must not need the environment.
 */
export const handler: ((event: unknown) => Promise<void>) | (() => never) =
  process.env.AWS_LAMBDA_FUNCTION_NAME !== undefined
    ? compose()
    : () => {
        throw new ConfigError("handlers/rotate-api-key.handler runs in Lambda only; use createRotationHandler elsewhere");
      };
