import type { RequestWorkReport } from "./request-worker";

export interface RequestsHandlerDeps {
  run: () => Promise<RequestWorkReport>;
  /** Other per-minute work of this function (usage sampling); its failure is logged, never fails the requests run. */
  afterRun?: () => Promise<unknown>;
  logger: { info?(m: string, f?: Record<string, unknown>): void; error(m: string, f?: Record<string, unknown>): void };
}

/**
 * The scheduled entry point of the request worker (EventBridge, same schedule as the tick). A run that fails as a
 * whole (DynamoDB unreachable) throws, so the invocation is marked failed and alarms see it; per-request errors
 * are logged and left for the next run.
 */
export function createRequestsHandler({ run, logger, afterRun }: RequestsHandlerDeps) {
  return async function handler(): Promise<RequestWorkReport> {
    const report = await run();
    for (const e of report.errors) logger.error("capacity request step failed", { requestId: e.id, message: e.message });
    logger.info?.("capacity requests run", {
      due: report.due,
      handled: report.handled,
      conflicts: report.conflicts,
      errors: report.errors.length,
    });
    await afterRun?.().catch((err: unknown) =>
      logger.error("usage sampling failed", { message: err instanceof Error ? err.message : String(err) }),
    );
    return report;
  };
}
