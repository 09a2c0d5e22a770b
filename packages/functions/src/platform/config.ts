import * as z from "zod";
import { ConfigError, DEFAULT_REMINDER_OFFSETS_MS, parseReminderOffsets } from "@cbm/core";

const optionalUrl = z.url().optional();
const optionalString = z.string().min(1).optional();
/** Whole minutes as an environment string, e.g. "720". */
const optionalMinutes = z.coerce
  .number()
  .int()
  .min(1)
  .max(56 * 24 * 60)
  .optional();

/** Every environment variable any handler reads; each handler then picks what it needs. */
const EnvSchema = z.object({
  TABLE_NAME: z.string().min(1),
  API_KEY_SECRET_ID: optionalString,
  NOTIFY_TOPIC_ARN: optionalString,
  API_URL: optionalUrl,
  ACCOUNT_ID: z
    .string()
    .regex(/^\d{12}$/, { message: "must be a 12-digit AWS account id" })
    .optional(),
  AWS_REGION: optionalString,
  EC2_ENDPOINT: optionalUrl,
  DYNAMODB_ENDPOINT: optionalUrl,
  SECRETS_ENDPOINT: optionalUrl,
  STAGE: optionalString,
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]).optional(),
  APPROVAL_REMINDER_MINUTES: optionalMinutes,
  APPROVAL_LAST_CALL_MINUTES: optionalMinutes,
  PAYMENT_ALERT_MINUTES: optionalMinutes,
  LINK_KEY_SECRET_ID: optionalString,
  LINK_RECIPIENT: z.string().min(1).max(254).optional(),
  EXPIRY_REMINDERS: z.string().max(100).optional(),
  // Set by the stacks when the stage has no ADMIN_EMAIL (stacks/stage.ts); only the web function reads it.
  AUTO_APPROVAL: z.literal("on").optional(),
});

export interface Config {
  tableName: string;
  apiKeySecretId?: string;
  notifyTopicArn?: string;
  apiUrl?: string;
  accountId?: string;
  region?: string;
  endpoints: { ec2?: string; dynamodb?: string; secretsManager?: string };
  /** The SST stage (set on every function by sst.config.ts); the `stage` dimension of every metric. */
  stage?: string;
  logLevel?: "debug" | "info" | "warn" | "error";
  /** Overrides of the engine's notification timings, in ms (defaults in core's DEFAULT_ENGINE_SETTINGS). */
  timings: { reminderIntervalMs?: number; lastCallBeforeMs?: number; paymentAlertBeforeMs?: number };
  /** Secret holding the approval-link key (also signs console sessions); without it there are no links or console. */
  linkKeySecretId?: string;
  /** Who approval notices reach (the approval topic's e-mail address); links record `link:<recipient>`. */
  linkRecipient?: string;
  /** Expiry reminder offsets before a block's end (EXPIRY_REMINDERS, e.g. "7d,24h,2h"; "off" for none). */
  reminderOffsetsMs: number[];
  /** No approver can be reached on this stage (deployed without ADMIN_EMAIL): purchases are approved automatically. */
  autoApproval: boolean;
}

/** What the API handler needs, with its required keys made required. */
export interface ApiConfig extends Config {
  apiKeySecretId: string;
}

type Env = Record<string, string | undefined>;

function describe(issues: z.core.$ZodIssue[]): string {
  return issues
    .map((i) => `${i.path.join(".") || "environment"}: ${i.input === undefined ? "is required but not set" : i.message}`)
    .join("; ");
}

/**
 * Parses the environment once (call it at module scope) and fails fast naming the missing or invalid key.
 * Empty strings count as unset: CloudFormation writes "" for optional parameters.
 */
export function loadConfig(env: Env): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = EnvSchema.safeParse(cleaned);
  if (!parsed.success) throw new ConfigError(`Invalid configuration: ${describe(parsed.error.issues)}`);
  const e = parsed.data;
  let reminderOffsetsMs: number[];
  try {
    reminderOffsetsMs = e.EXPIRY_REMINDERS === undefined ? [...DEFAULT_REMINDER_OFFSETS_MS] : parseReminderOffsets(e.EXPIRY_REMINDERS);
  } catch (err) {
    throw new ConfigError(`Invalid configuration: EXPIRY_REMINDERS: ${(err as Error).message}`);
  }
  return {
    tableName: e.TABLE_NAME,
    apiKeySecretId: e.API_KEY_SECRET_ID,
    notifyTopicArn: e.NOTIFY_TOPIC_ARN,
    apiUrl: e.API_URL,
    accountId: e.ACCOUNT_ID,
    region: e.AWS_REGION,
    endpoints: { ec2: e.EC2_ENDPOINT, dynamodb: e.DYNAMODB_ENDPOINT, secretsManager: e.SECRETS_ENDPOINT },
    stage: e.STAGE,
    logLevel: e.LOG_LEVEL,
    timings: {
      ...(e.APPROVAL_REMINDER_MINUTES ? { reminderIntervalMs: e.APPROVAL_REMINDER_MINUTES * 60_000 } : {}),
      ...(e.APPROVAL_LAST_CALL_MINUTES ? { lastCallBeforeMs: e.APPROVAL_LAST_CALL_MINUTES * 60_000 } : {}),
      ...(e.PAYMENT_ALERT_MINUTES ? { paymentAlertBeforeMs: e.PAYMENT_ALERT_MINUTES * 60_000 } : {}),
    },
    linkKeySecretId: e.LINK_KEY_SECRET_ID,
    linkRecipient: e.LINK_RECIPIENT,
    reminderOffsetsMs,
    autoApproval: e.AUTO_APPROVAL === "on",
  };
}

/** The API handler's configuration: additionally requires API_KEY_SECRET_ID. */
export function loadApiConfig(env: Env): ApiConfig {
  const config = loadConfig(env);
  if (!config.apiKeySecretId) throw new ConfigError("Invalid configuration: API_KEY_SECRET_ID: is required but not set");
  return { ...config, apiKeySecretId: config.apiKeySecretId };
}
