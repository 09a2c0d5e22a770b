import {
  type CapacityRequest,
  countSuccessor,
  NotFoundError,
  successorCountDeferred,
  successorCountRecorded,
  VersionConflictError,
} from "@cbm/core";
import type { StepContext } from "./context";

/**
 * Counts a bought successor's fee in the budget of the reservation it continues, whichever registration manages
 * that reservation now (spend belongs to the reservation: the ledger names its manager), then marks the request so
 * it is never counted twice. The block write comes first and records the request id (core's countSuccessor), so a
 * run that dies between the two writes finds it counted and only marks the request. While nobody manages the
 * reservation the count waits (the ledger's figures go to the next registration), and is retried.
 */
export async function countSuccessorSpend(ctx: StepContext, req: CapacityRequest): Promise<{ req: CapacityRequest; counted: boolean }> {
  const p = req.purchase;
  const predecessor = req.successorOf;
  if (!ctx.blocks || !p || predecessor === undefined) return { req, counted: false };
  const at = ctx.now.toISOString();
  const ledger = await ctx.blocks.getLedger(predecessor);
  if (ledger?.successorPurchases?.some((s) => s.requestId === req.id))
    return { req: await ctx.requests.update(successorCountRecorded(req, at), req.version), counted: true };
  const block = ledger?.managedBy === undefined ? undefined : await ctx.blocks.get(ledger.managedBy);
  if (!block || block.capacityReservationId !== predecessor) return { req, counted: false };
  const count = countSuccessor(
    block,
    {
      requestId: req.id,
      capacityReservationId: p.capacityReservationId,
      upfrontFee: p.upfrontFee,
      currency: p.currency,
      window: req.wanted.earliestStart,
    },
    ctx.now,
  );
  if (count.kind === "counted") {
    try {
      await ctx.blocks.update(count.block, block.version, [{ ...count.event, id: ctx.ids.next() }]);
    } catch (err) {
      // Edited or deleted meanwhile: the next run reads it again (the purchase is recorded; only the count waits).
      if (err instanceof VersionConflictError || err instanceof NotFoundError) return { req, counted: false };
      throw err;
    }
  }
  return { req: await ctx.requests.update(successorCountRecorded(req, at), req.version), counted: true };
}

/** The step of a finished successor request whose fee is not counted yet: count it, or wait for a registration. */
export async function countFinishedSuccessor(ctx: StepContext, req: CapacityRequest): Promise<CapacityRequest> {
  const { req: after, counted } = await countSuccessorSpend(ctx, req);
  if (counted) return after;
  return ctx.requests.update(successorCountDeferred(req, ctx.now.toISOString()), req.version);
}
