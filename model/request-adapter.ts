/**
 * The request side of the model's tie to core, in one file so it can be repointed when the request lifecycle moves
 * into core: today a request's purchase decision is chooseOffering() + authorizePurchase() (request-decision.ts) and
 * a successor's id is planSuccessor()'s (successor.ts); the settle rule is still the worker's (see requests.pml).
 */
import { termsForOffering, type Block, type BlockOffering, type CapacityRequest } from "@cbm/core";
import { FEE, MINUTE, NOW, baseBlock, iso, type CoreTransitions } from "./fixtures";

export interface RequestRow {
  /** The offering's fee is within the request's maxUpfrontFee. */
  fitsCap: boolean;
  requireApproval: boolean;
  approved: boolean;
  /** The approval's quoted fee covers the offering's (false: the price rose since the quote). */
  approvalCoversFee: boolean;
}

export type RequestOutcome = "IDLE" | "ASK" | "BUY_POLICY" | "BUY_APPROVAL" | "BUY_AUTO";

export function requestOutcome(core: CoreTransitions, row: RequestRow): RequestOutcome {
  const fee = row.fitsCap ? FEE.cheap : FEE.dear;
  const offering = blockOffering(fee);
  const req = capacityRequest(row.requireApproval);
  if (row.approved) {
    const quoted = blockOffering(row.approvalCoversFee ? fee : "999");
    req.approval = { by: "model", at: iso(NOW.getTime() - MINUTE), terms: termsForOffering(req, quoted) };
  }
  const choice = core.chooseBlockOffering(req, [offering]);
  if (choice.kind === "none") return "IDLE";
  const verdict = core.authorizePurchase(req, choice.offering, { canReachApprover: true, now: NOW.toISOString() });
  if (verdict.kind === "ask") return "ASK";
  const kind = verdict.authorization.kind;
  return kind === "policy" ? "BUY_POLICY" : kind === "approval" ? "BUY_APPROVAL" : "BUY_AUTO";
}

/**
 * Whether the successor request core names for a block changes with the block's registration: if it does, deleting
 * and re-registering the block (same reservation, same end) lets a second successor request be created.
 */
export function successorKeyedByRegistration(core: CoreTransitions): boolean {
  const ids = ["reg-1", "reg-2"].map((registrationId) => {
    const block: Block = {
      ...baseBlock(true, true, "100000"),
      registrationId,
      status: "no-offering",
      instanceType: "p5.48xlarge",
      instanceCount: 2,
      policy: { ...baseBlock(true, true, "100000").policy, openSuccessorRequest: true },
    };
    const plan = core.planSuccessor(block, NOW.toISOString());
    if (plan.kind !== "open") throw new Error(`the successor row expects core to open a successor: ${plan.reason}`);
    return plan.id;
  });
  return ids[0] !== ids[1];
}

function blockOffering(upfrontFee: string): BlockOffering {
  return {
    offeringId: `cb-${upfrontFee}`,
    region: "us-east-1",
    availabilityZone: "us-east-1a",
    instanceType: "p5.48xlarge",
    instanceCount: 2,
    startDate: "2026-07-01T11:30:00.000Z",
    endDate: "2026-07-08T11:30:00.000Z",
    durationHours: 168,
    durationMinutes: 0,
    upfrontFee,
    currencyCode: "USD",
  };
}

function capacityRequest(requireApproval: boolean): CapacityRequest {
  return {
    id: "req-1",
    version: 1,
    status: "searching",
    wanted: {
      instanceType: "p5.48xlarge",
      instanceCount: 2,
      durationHours: 168,
      earliestStart: "2026-06-01T11:30:00.000Z",
      latestStart: "2026-08-01T11:30:00.000Z",
      regions: ["us-east-1"],
    },
    limits: { maxUpfrontFee: "1500", currency: "USD" },
    requireApproval,
    platform: "Linux/UNIX",
    createdAt: "2026-05-01T00:00:00.000Z",
    updatedAt: "2026-05-01T00:00:00.000Z",
    createdBy: "model",
  };
}
