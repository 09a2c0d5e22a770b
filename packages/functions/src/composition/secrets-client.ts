import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { API_SECRETS_LIMITS, sdkClientConfig, withCallBudget } from "../adapters/call-limits";
import type { Config } from "../platform/config";

/** A Secrets Manager client whose every call is bounded (connect, attempt, attempts, whole call): a stall is an error in seconds. */
export function boundedSecretsClient(config: Pick<Config, "region" | "endpoints">): SecretsManagerClient {
  return withCallBudget(
    new SecretsManagerClient({
      ...(config.region ? { region: config.region } : {}),
      ...(config.endpoints.secretsManager ? { endpoint: config.endpoints.secretsManager } : {}),
      ...sdkClientConfig(API_SECRETS_LIMITS),
    }),
    API_SECRETS_LIMITS.budgetMs,
  );
}
