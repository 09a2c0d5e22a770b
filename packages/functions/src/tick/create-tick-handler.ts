import middy from "@middy/core";
import type { Context } from "aws-lambda";
import { ConfigError } from "@cbm/core";
import type { Logger } from "../platform/observability/logger";
import type { Metrics } from "../platform/observability/metrics";
import { flushMetrics } from "../platform/observability/middy";
import { recordTickFailure, recordTickMetrics } from "../platform/observability/tick-metrics";
import type { Tick, TickReport } from "./create-tick";

export interface TickHandlerDeps {
  /** A ready tick (tests, local mode) … */
  tick?: Tick;
  /** … or one built once the account is known: ACCOUNT_ID, else the account of the invoked function's ARN. */
  tickForAccount?: (accountId: string) => Tick;
  accountId?: string;
  logger: Pick<Logger, "info" | "warn" | "error">;
  /** Flushed once per invocation (EMF on stdout in Lambda). */
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
    if (!accountId || !deps.tickForAccount)
      throw new ConfigError("ACCOUNT_ID is not set and the account cannot be read from the function ARN");
    if (built?.accountId !== accountId) built = { accountId, tick: deps.tickForAccount(accountId) };
    return built.tick;
  };

  const noMetrics: Pick<Metrics, "add" | "flush"> = { add: () => undefined, flush: () => [] };
  const metrics = deps.metrics ?? noMetrics;

  return middy<unknown, TickReport>({ timeoutEarlyInMillis: 0 })
    .use(flushMetrics(metrics))
    .use({
      onError: async (request) => {
        recordTickFailure(metrics);
        deps.logger.error("tick failed", { awsRequestId: request.context?.awsRequestId, error: request.error });
      },
    })
    .handler(async (_event, context) => {
      const remaining = typeof context?.getRemainingTimeInMillis === "function" ? context.getRemainingTimeInMillis() : undefined;
      const deadline = remaining === undefined ? undefined : new Date(Date.now() + Math.max(remaining - safetyMs, 0));
      const report = await tickFor(context).call(undefined, deadline ? { deadline } : {});
      recordTickMetrics(metrics, report);
      return report;
    });
}
