/**
 * Stage policy shared by every stack: which stages hold real data (and so must survive `sst remove`), and the
 * names other tools look up (the SSM parameters the original README documents).
 */

/** Stages whose data must survive `sst remove` and accidental deletes; everything else is disposable. */
export const DEFAULT_PROTECTED_STAGES = ["prod", "production", "staging"] as const;

/**
 * True when `stage` keeps its table (deletion protection, RETAIN) and its log groups. Extra stage names can be
 * protected at deploy time with `CBM_PROTECTED_STAGES=live,prd` (comma-separated); the defaults always stay protected.
 */
export function isProtectedStage(stage: string, extra: string | undefined = process.env.CBM_PROTECTED_STAGES): boolean {
  const names = new Set<string>([
    ...DEFAULT_PROTECTED_STAGES,
    ...(extra ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter((s) => s.length > 0),
  ]);
  return names.has(stage);
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
