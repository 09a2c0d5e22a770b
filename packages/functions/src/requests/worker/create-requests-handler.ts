import type { RequestWorkReport } from "./request-worker";

export interface RequestsHandlerDeps {
  run: (opts?: { deadline?: Date }) => Promise<RequestWorkReport>;
  /** Other per-minute work of this function (usage sampling); its failure is logged, never fails the requests run. */
  afterRun?: () => Promise<unknown>;
  logger: { info?(m: string, f?: Record<string, unknown>): void; error(m: string, f?: Record<string, unknown>): void };
  /**
   * Stop starting request steps this long before Lambda's timeout: a purchase begun must have its call (10 s timeout,
   * 1 s abort backstop) answered and recorded before the function is stopped. Default 15 s, as the tick's.
   */
  safetyMs?: number;
}

/** The part of Lambda's context the handler reads (absent outside Lambda: then the worker's own default applies). */
export interface RemainingTime {
  getRemainingTimeInMillis?: () => number;
}

/**
 * The scheduled entry point of the request worker (EventBridge, same schedule as the tick). A run that fails as a
 * whole (DynamoDB unreachable) throws, so the invocation is marked failed and alarms see it; per-request errors
 * are logged and left for the next run.
 */
export function createRequestsHandler({ run, logger, afterRun, safetyMs = 15_000 }: RequestsHandlerDeps) {
  return async function handler(_event?: unknown, context?: RemainingTime): Promise<RequestWorkReport> {
    const remaining = typeof context?.getRemainingTimeInMillis === "function" ? context.getRemainingTimeInMillis() : undefined;
    const report = await run(remaining === undefined ? {} : { deadline: new Date(Date.now() + Math.max(remaining - safetyMs, 0)) });
    for (const e of report.errors) logger.error("capacity request step failed", { requestId: e.id, message: e.message });
    logger.info?.("capacity requests run", {
      due: report.due,
      handled: report.handled,
      conflicts: report.conflicts,
      errors: report.errors.length,
      deadlineReached: report.deadlineReached ?? false,
    });
    await afterRun?.().catch((err: unknown) =>
      logger.error("usage sampling failed", { message: err instanceof Error ? err.message : String(err) }),
    );
    return report;
  };
}
