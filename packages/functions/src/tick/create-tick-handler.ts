import middy from "@middy/core";
import type { Context } from "aws-lambda";
import { ConfigError } from "@cbm/core";
import type { Metrics } from "../observability/metrics";
import type { Tick, TickReport } from "./create-tick";
import type { TickLogger } from "./logger";

export interface TickHandlerDeps {
  /** A ready tick (tests, local mode) … */
  tick?: Tick;
  /** … or one built once the account is known: ACCOUNT_ID, else the account of the invoked function's ARN. */
  tickForAccount?: (accountId: string) => Tick;
  accountId?: string;
  logger: TickLogger;
  metrics?: Metrics;
  /** Stop taking new work this long before Lambda's timeout (a purchase call in flight must still finish). Default 15 s. */
  safetyMs?: number;
}

/** arn:aws:lambda:<region>:<account>:function:<name> → <account>. */
export function accountFromFunctionArn(arn: string | undefined): string | undefined {
  return arn?.split(":")[4] || undefined;
}

/**
 * The scheduler's Middy handler for the EventBridge schedule. The event carries nothing the tick needs; the
 * deadline comes from Lambda's remaining time so the tick stops taking new blocks well before the timeout.
 */
export function createTickHandler(deps: TickHandlerDeps) {
  const safetyMs = deps.safetyMs ?? 15_000;
  let built: { accountId: string; tick: Tick } | undefined;

  const tickFor = (context: Partial<Context> | undefined): Tick => {
    if (deps.tick) return deps.tick;
    const accountId = deps.accountId ?? accountFromFunctionArn(context?.invokedFunctionArn);
    if (!accountId || !deps.tickForAccount) throw new ConfigError("ACCOUNT_ID is not set and the account cannot be read from the function ARN");
    if (built?.accountId !== accountId) built = { accountId, tick: deps.tickForAccount(accountId) };
    return built.tick;
  };

  return middy<unknown, TickReport>({ timeoutEarlyInMillis: 0 })
    .use({
      onError: async (request) => {
        deps.logger.error("tick failed", { error: request.error instanceof Error ? { name: request.error.name, message: request.error.message } : String(request.error) });
      },
    })
    .handler(async (_event, context) => {
      const remaining = typeof context?.getRemainingTimeInMillis === "function" ? context.getRemainingTimeInMillis() : undefined;
      const deadline = remaining === undefined ? undefined : new Date(Date.now() + Math.max(remaining - safetyMs, 0));
      const report = await tickFor(context).call(undefined, deadline ? { deadline } : {});
      if (deps.metrics) {
        for (const [name, value] of [
          ["TickDue", report.due], ["TickProcessed", report.processed], ["TickSkipped", report.skipped], ["Purchases", report.purchases],
          ["PurchaseAttempts", report.purchaseAttempts], ["TickErrors", report.errors], ["Throttled", report.throttled], ["Conflicts", report.conflicts],
          ["BlockWrites", report.writes], ["Notifications", report.notifications],
        ] as const) deps.metrics.add(name, value);
        deps.metrics.add("TickDuration", report.durationMs, "Milliseconds");
        deps.metrics.flush();
      }
      return report;
    });
}
