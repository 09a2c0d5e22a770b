import { type CapacityRequest, nextRequestStep, retired, VersionConflictError } from "@cbm/core";
import { MINUTE, type RequestWorkerDeps, type StepContext } from "./context";
import { searchAndAct } from "./search";
import { followPurchase, settleIntent } from "./settle";
import { countFinishedSuccessor } from "./successor-count";
import { openSuccessors } from "./successors";

export type { RequestWorkerDeps, RegisterBlock } from "./context";

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
  /** The run stopped starting steps at its deadline; the requests left are still due and the next run takes them. */
  deadlineReached?: boolean;
  /** Requests this run found bought (purchased, or an intent settled as bought): now payment-pending or fulfilled. */
  purchases?: number;
  /** Purchases this run left ambiguous: the intent is held ("purchasing") until its tag settles it. */
  purchasesHeld?: number;
}

const BOUGHT: ReadonlySet<CapacityRequest["status"]> = new Set(["payment-pending", "fulfilled"]);

/** Counts a handled step in the report: a purchase found bought, or one left ambiguous with its intent held. */
function countPurchase(report: RequestWorkReport, before: CapacityRequest["status"], after: CapacityRequest["status"]): void {
  if (BOUGHT.has(after) && !BOUGHT.has(before)) report.purchases = (report.purchases ?? 0) + 1;
  if (after === "purchasing" && before !== "purchasing") report.purchasesHeld = (report.purchasesHeld ?? 0) + 1;
}

/** One request's step, as core's request lifecycle names it. */
async function step(ctx: StepContext, req: CapacityRequest): Promise<CapacityRequest> {
  const next = nextRequestStep(req);
  switch (next.kind) {
    case "settle-intent":
      return settleIntent(ctx, req, next.intent);
    case "follow-payment":
      return followPurchase(ctx, req);
    case "count-successor":
      return countFinishedSuccessor(ctx, req);
    case "retire":
      return ctx.requests.update(retired(req), req.version);
    case "search":
      return searchAndAct(ctx, req);
  }
}

/**
 * The capacity-request worker, run on the scheduler's schedule (its own Lambda in AWS: the tick's bundle has no
 * room). Each run reads the requests that are due from their own partition of the due index, at most `maxPerRun`,
 * and handles each in isolation: one request's failure does not stop the others.
 */
export function createRequestWorker(deps: RequestWorkerDeps) {
  const maxPerRun = deps.maxPerRun ?? 10;
  const wallNow = deps.wallNow ?? Date.now;
  return async function runRequests(opts: { deadline?: Date } = {}): Promise<RequestWorkReport> {
    const now = deps.clock.now();
    const deadline = opts.deadline?.getTime() ?? wallNow() + (deps.deadlineMs ?? 40_000);
    const ctx: StepContext = {
      requests: deps.requests,
      market: deps.market,
      registerBlock: deps.registerBlock,
      notifier: deps.notifier,
      clock: deps.clock,
      ids: deps.ids,
      wallNow,
      callSettleMs: deps.callSettleMs ?? 2 * MINUTE,
      searchEveryMs: deps.searchEveryMs ?? 5 * MINUTE,
      now,
      timeLeft: () => wallNow() < deadline,
      ...(deps.apiUrl ? { apiUrl: deps.apiUrl } : {}),
      ...(deps.approvalLinks ? { approvalLinks: deps.approvalLinks } : {}),
      ...(deps.blocks ? { blocks: deps.blocks } : {}),
    };
    // Successors first, so a request opened now is due in this same run.
    const successors = deps.blocks
      ? await openSuccessors({ blocks: deps.blocks, requests: deps.requests, notifier: deps.notifier, clock: deps.clock, ids: deps.ids })
      : [];
    const due = await deps.requests.findDue(now.toISOString(), { limit: maxPerRun });
    const report: RequestWorkReport = {
      due: due.length,
      handled: 0,
      conflicts: 0,
      errors: [],
      statuses: {},
      successors,
      purchases: 0,
      purchasesHeld: 0,
    };
    for (const req of due) {
      if (!ctx.timeLeft()) {
        report.deadlineReached = true;
        break;
      }
      try {
        const after = await step(ctx, req);
        report.handled++;
        report.statuses[req.id] = after.status;
        countPurchase(report, req.status, after.status);
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
