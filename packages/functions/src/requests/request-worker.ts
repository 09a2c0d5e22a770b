import { type CapacityRequest, TERMINAL_REQUEST_STATUSES, VersionConflictError } from "@cbm/core";
import { MINUTE, type RequestWorkerDeps, type StepContext } from "./context";
import { searchAndAct } from "./search";
import { followPurchase, settleIntent } from "./settle";
import { openSuccessors } from "./successors";

export type { RequestWorkerDeps, RegisterBlock, RequestCrashHooks } from "./context";

export interface RequestWorkReport {
  due: number;
  handled: number;
  /** Another worker wrote first (overlapping runs): this one did nothing for those. */
  conflicts: number;
  errors: { id: string; message: string }[];
  /** Status of each request handled, for logs and local mode's summary. */
  statuses: Record<string, CapacityRequest["status"]>;
  /** Successor requests opened this run (continuity). */
  successors: string[];
}

/** One request's step, by where it stands: settle an intent, follow a payment, or search (and maybe buy). */
async function step(ctx: StepContext, req: CapacityRequest): Promise<CapacityRequest> {
  if (req.intent) return settleIntent(ctx, req, req.intent);
  if (req.purchase) {
    if (req.status === "fulfilled" || req.status === "payment-failed")
      return ctx.requests.update({ ...req, nextCheckAt: null }, req.version);
    return followPurchase(ctx, req);
  }
  if (TERMINAL_REQUEST_STATUSES.has(req.status)) return ctx.requests.update({ ...req, nextCheckAt: null }, req.version);
  return searchAndAct(ctx, req);
}

/**
 * The capacity-request worker, run on the scheduler's schedule (its own Lambda in AWS: the tick's bundle has no
 * room). Each run reads the requests that are due from their own partition of the due index, at most `maxPerRun`,
 * and handles each in isolation: one request's failure does not stop the others.
 */
export function createRequestWorker(deps: RequestWorkerDeps) {
  const maxPerRun = deps.maxPerRun ?? 10;
  return async function runRequests(): Promise<RequestWorkReport> {
    const now = deps.clock.now();
    const ctx: StepContext = {
      requests: deps.requests,
      market: deps.market,
      registerBlock: deps.registerBlock,
      notifier: deps.notifier,
      clock: deps.clock,
      ids: deps.ids,
      wallNow: deps.wallNow ?? Date.now,
      callSettleMs: deps.callSettleMs ?? 2 * MINUTE,
      searchEveryMs: deps.searchEveryMs ?? 5 * MINUTE,
      hooks: deps.hooks ?? {},
      now,
      ...(deps.apiUrl ? { apiUrl: deps.apiUrl } : {}),
      ...(deps.approvalLinks ? { approvalLinks: deps.approvalLinks } : {}),
    };
    // Successors first, so a request opened now is due in this same run.
    const successors = deps.blocks
      ? await openSuccessors({ blocks: deps.blocks, requests: deps.requests, notifier: deps.notifier, clock: deps.clock, ids: deps.ids })
      : [];
    const due = await deps.requests.findDue(now.toISOString(), { limit: maxPerRun });
    const report: RequestWorkReport = { due: due.length, handled: 0, conflicts: 0, errors: [], statuses: {}, successors };
    for (const req of due) {
      try {
        const after = await step(ctx, req);
        report.handled++;
        report.statuses[req.id] = after.status;
      } catch (err) {
        if (err instanceof VersionConflictError) {
          report.conflicts++;
          continue;
        }
        const message = err instanceof Error ? err.message : String(err);
        report.errors.push({ id: req.id, message });
        // Try again later, whatever failed (infrastructure or a bug, which stays in `errors`): the write is conditional on
        // the version read, so it is a no-op when the step wrote anything, and the intent (if any) is untouched. A request
        // left as it was would stay at the head of the due index, and ten of them would take every slot of every run.
        await deps.requests
          .update(
            {
              ...req,
              statusReason: `Last run failed: ${message}`,
              failures: (req.failures ?? 0) + 1,
              nextCheckAt: new Date(now.getTime() + MINUTE).toISOString(),
              updatedAt: now.toISOString(),
            },
            req.version,
          )
          .catch(() => undefined);
      }
    }
    return report;
  };
}
