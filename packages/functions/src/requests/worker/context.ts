import type { BlockMarket, BlockStore, BlockTags, CapacityRequest, Clock, Ids, Notifier, OwnPurchase, RequestStore } from "@cbm/core";
import { requestLinkPk } from "@cbm/core";
import type { ApprovalLinkIssuer } from "../../approvals";

/** Registers a bought block as a managed block; resolves with the PK it is managed under. */
export type RegisterBlock = (input: {
  pk: string;
  capacityReservationId: string;
  region: string;
  name?: string;
  /** The request's tags (team …), so the block is labelled as what bought it. */
  tags?: BlockTags;
  policy: Record<string, unknown>;
  actor: string;
  /** What the request paid for the block: counted in the block's `spent` when it is registered. */
  bought?: OwnPurchase;
}) => Promise<string>;

export interface RequestWorkerDeps {
  requests: RequestStore;
  market: BlockMarket;
  registerBlock: RegisterBlock;
  notifier: Notifier;
  /** Business time (the emulator's virtual clock locally). */
  clock: Clock;
  ids: Ids;
  /**
   * Wall-clock milliseconds, for `callSettledAt`: a purchase call in flight ends by the wall clock, whatever a
   * virtual Clock says, so an intent is never settled "not bought" while its call may still reach EC2.
   */
  wallNow?: () => number;
  /** The purchase call's timeout plus a margin for EC2's tag index to show a reservation it just made. */
  callSettleMs?: number;
  /** Requests handled per run: bounded describe calls per tick (offerings are first come, first served). */
  maxPerRun?: number;
  /** How often an open request searches again when nothing fits. */
  searchEveryMs?: number;
  /** Public API URL, for the approval command in notices. */
  apiUrl?: string;
  /** Signed approval links for quote notices (the link key and API_URL configured); absent: CLI and PATCH only. */
  approvalLinks?: Pick<ApprovalLinkIssuer, "linkFor">;
  /**
   * Managed blocks: to open successor requests for those whose policy asks (see successors.ts), and to count a
   * successor's fee in the budget of the block it continues (successor-count.ts); absent: no successors.
   */
  blocks?: SuccessorBlocks;
  /**
   * Wall-clock budget of a run when `runRequests()` gets no deadline (the Lambda handler passes one from its remaining
   * time). No request step, and no purchase, starts after it. Default 40 s (the function's timeout is 55 s).
   */
  deadlineMs?: number;
}

/** What the worker reads and writes of managed blocks. */
export type SuccessorBlocks = Pick<BlockStore, "findEndingBetween" | "get" | "update" | "getLedger">;

/** Everything one step needs, passed explicitly (no closure over the whole protocol). */
export interface StepContext
  extends Required<
    Pick<
      RequestWorkerDeps,
      "requests" | "market" | "registerBlock" | "notifier" | "clock" | "ids" | "wallNow" | "callSettleMs" | "searchEveryMs"
    >
  > {
  apiUrl?: string;
  blocks?: SuccessorBlocks;
  approvalLinks?: Pick<ApprovalLinkIssuer, "linkFor">;
  now: Date;
  /**
   * Whether this run may still start work that ends in a purchase: false once the deadline passed, so a purchase is
   * never begun that the run could not finish recording before its Lambda is stopped.
   */
  timeLeft: () => boolean;
}

export const MINUTE = 60_000;

export function minutesFrom(now: Date, minutes: number): string {
  return new Date(now.getTime() + minutes * MINUTE).toISOString();
}

/** The PK under which notices about a request are grouped (outbox, SNS attributes). */
export function noticePk(request: CapacityRequest): string {
  return requestLinkPk(request.id);
}

/** The tag naming the request on every reservation it bought (beside core's intent tag). */
export const REQUEST_TAG_KEY = "cbm:request";
