import { parseReminderOffsets } from "@cbm/core";
import { PROTECTED_STAGES_RECORD } from "./protected-stages.js";

/**
 * Stage policy shared by every stack: which stages hold real data (and so must survive `sst remove`), and the
 * names other tools look up (the SSM parameters the original README documents).
 */

/** Stages whose data must survive `sst remove` and accidental deletes; everything else is disposable. */
export const DEFAULT_PROTECTED_STAGES = ["prod", "production", "staging"] as const;

/**
 * Further protected stages, recorded in the repository beside the stacks (stacks/protected-stages.ts), never read
 * from the environment at each deploy: one deploy of a production stage from a shell without the variable would
 * otherwise turn its table's deletion protection off and let the next `sst remove` delete it.
 */
export const RECORDED_PROTECTED_STAGES: readonly string[] = PROTECTED_STAGES_RECORD;

/** True when `stage` keeps its table (deletion protection, RETAIN) and its log groups. */
export function isProtectedStage(stage: string, recorded: readonly string[] = RECORDED_PROTECTED_STAGES): boolean {
  return (DEFAULT_PROTECTED_STAGES as readonly string[]).includes(stage) || recorded.includes(stage);
}

/**
 * The first release protected extra stages with CBM_PROTECTED_STAGES at each deploy. Setting it now fails the deploy
 * instead of being ignored in silence: the deployer meant to protect a stage, and must record it.
 */
export function refuseProtectedStagesVariable(env: NodeJS.ProcessEnv = process.env): void {
  if (env.CBM_PROTECTED_STAGES?.trim()) {
    throw new Error(
      "CBM_PROTECTED_STAGES is not read any more: add the stage to stacks/protected-stages.ts and commit it, so a " +
        "deploy without the variable cannot turn its protection off",
    );
  }
}

/** SSM parameter names, per stage, as in the original README (`/cbm/<stage>/apiUrl`). */
export function parameterNames(stage: string): { apiUrl: string; apiSecretName: string } {
  return { apiUrl: `/cbm/${stage}/apiUrl`, apiSecretName: `/cbm/${stage}/apiSecretName` };
}

/** Deploy-time overrides of the tick's notification timings (whole minutes), passed on to the tick function. */
export const TICK_TIMING_VARIABLES = ["APPROVAL_REMINDER_MINUTES", "APPROVAL_LAST_CALL_MINUTES", "PAYMENT_ALERT_MINUTES"] as const;

/**
 * The timing overrides the deployer set, e.g. `APPROVAL_REMINDER_MINUTES=240 npx sst deploy`. A value that is not a
 * whole number fails the deploy here rather than the function's cold start.
 */
export function tickTimingEnvironment(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of TICK_TIMING_VARIABLES) {
    const value = env[name]?.trim();
    if (!value) continue;
    if (!/^[1-9]\d*$/.test(value)) throw new Error(`${name} must be a whole number of minutes, not '${value}'`);
    out[name] = value;
  }
  return out;
}

/** The e-mail address that receives approval requests, if the deployer set one. */
export function adminEmail(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const value = env.ADMIN_EMAIL?.trim();
  return value ? value : undefined;
}

/**
 * What a deploy without ADMIN_EMAIL prints before it proceeds: no one can be asked, so CBM keeps the first release's
 * behaviour and approves automatically what would need approval. It must be read at the deploy, not found in a bill.
 */
export const AUTO_APPROVAL_NOTICE =
  "CBM: ADMIN_EMAIL is not set, so no one can be asked for approval: every purchase that needs approval (extensions " +
  "and capacity requests) will be APPROVED AUTOMATICALLY within its policy's caps. The console and the notices of " +
  "this stage say so. To be asked instead, deploy with ADMIN_EMAIL=you@example.com.";

/** The functions' flag for a stage without ADMIN_EMAIL, so the console can say auto-approval is on. */
export const AUTO_APPROVAL_VARIABLE = "AUTO_APPROVAL";

/**
 * The regions whose Capacity Blocks this deployment may buy extensions for, if the deployer says so:
 * `CBM_REGIONS=us-east-1,us-west-2 npx sst deploy`. Unset means any region (a block record names its own region).
 * A name that is not a region fails the deploy here rather than every purchase later.
 */
export function purchaseRegions(env: NodeJS.ProcessEnv = process.env): string[] | undefined {
  const names = (env.CBM_REGIONS ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (names.length === 0) return undefined;
  for (const name of names) {
    if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(name)) throw new Error(`CBM_REGIONS: '${name}' is not an AWS region name`);
  }
  return [...new Set(names)].sort();
}

/** Where alarms are e-mailed, if the deployer names an address (ALARM_EMAIL); the alarm topic exists either way. */
export function alarmEmail(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const value = env.ALARM_EMAIL?.trim();
  return value ? value : undefined;
}

/** The log levels the functions' config accepts (packages/functions/src/platform/config.ts). */
export const LOG_LEVELS = ["debug", "info", "warn", "error"] as const;

/** LOG_LEVEL at deploy (default info), checked here: a bad value would fail every cold start of every function. */
export function logLevel(env: NodeJS.ProcessEnv = process.env): (typeof LOG_LEVELS)[number] {
  const value = env.LOG_LEVEL?.trim() || "info";
  if (!(LOG_LEVELS as readonly string[]).includes(value))
    throw new Error(`LOG_LEVEL must be one of ${LOG_LEVELS.join(", ")}, not '${value}'`);
  return value as (typeof LOG_LEVELS)[number];
}

/**
 * EXPIRY_REMINDERS at deploy, checked with the very parser the notices function runs at cold start (core's
 * parseReminderOffsets, and config.ts's 100-character limit): a bad value fails the deploy, not every notice.
 */
export function expiryRemindersSetting(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const value = env.EXPIRY_REMINDERS?.trim();
  if (!value) return undefined;
  try {
    if (value.length > 100) throw new Error("longer than 100 characters");
    parseReminderOffsets(value);
  } catch (err) {
    const details = (err as { issues?: { message: string }[] }).issues?.map((d) => d.message).join("; ");
    throw new Error(`EXPIRY_REMINDERS: ${details ?? (err as Error).message} (e.g. 7d,24h,2h or off)`);
  }
  return value;
}
