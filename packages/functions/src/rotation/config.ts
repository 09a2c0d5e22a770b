import * as z from "zod";
import { ConfigError } from "@cbm/core";

const RotationEnv = z.object({
  /** The secret's ARN: Secrets Manager names the secret by ARN in every step event. */
  API_KEY_SECRET_ID: z.string().startsWith("arn:"),
  USAGE_PLAN_ID: z.string().min(1),
  API_KEY_NAME_PREFIX: z.string().min(1),
  AWS_REGION: z.string().min(1).optional(),
  STAGE: z.string().min(1).optional(),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]).optional(),
});

export interface RotationConfig {
  secretArn: string;
  usagePlanId: string;
  namePrefix: string;
  region?: string;
  stage?: string;
  logLevel?: "debug" | "info" | "warn" | "error";
}

/** The rotation function's configuration, parsed once at cold start; fails naming the missing or invalid keys. */
export function loadRotationConfig(env: Record<string, string | undefined>): RotationConfig {
  const parsed = RotationEnv.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== "")));
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.input === undefined ? "is required but not set" : i.message}`);
    throw new ConfigError(`Invalid configuration: ${issues.join("; ")}`);
  }
  const e = parsed.data;
  return {
    secretArn: e.API_KEY_SECRET_ID,
    usagePlanId: e.USAGE_PLAN_ID,
    namePrefix: e.API_KEY_NAME_PREFIX,
    ...(e.AWS_REGION ? { region: e.AWS_REGION } : {}),
    ...(e.STAGE ? { stage: e.STAGE } : {}),
    ...(e.LOG_LEVEL ? { logLevel: e.LOG_LEVEL } : {}),
  };
}
