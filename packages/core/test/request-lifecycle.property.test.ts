import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { blockOffering } from "./fixtures";
import {
  AmbiguousOutcomeError,
  type CapacityRequest,
  classifyPurchaseFailure,
  InfrastructureError,
  intentNotBought,
  intentStillUnsettled,
  nextRequestStep,
  nothingFits,
  paymentFailed,
  paymentProgress,
  paymentStillPending,
  purchaseAmbiguous,
  purchaseRecorded,
  purchaseRefused,
  RejectedError,
  RequestInvariantError,
  type RequestIntent,
  requestFulfilled,
  retired,
  type ReservationView,
  settleRequestIntent,
  TERMINAL_REQUEST_STATUSES,
  ThrottledError,
  withRequestIntent,
} from "../src/index";

/*
 * The request lifecycle driven as the worker drives it, against a model of EC2 in which a purchase call may commit
 * at once, never, or late (up to the call's settle time after it began, the protocol's one assumption about EC2),
 * with crashes between the intent and the call and payments that succeed, fail or stay pending. Whatever happens:
 * EC2 commits at most one purchase per request, an intent is never settled "not bought" while its call may still
 * land, intent and purchase never coexist, and a purchase once recorded stays.
 */
const RUNS = Number(process.env.CBM_PROPERTY_RUNS ?? 300);
const SETTLE_MS = 120_000;
const T0 = Date.parse("2026-11-24T08:00:00.000Z");

const request: CapacityRequest = {
  id: "req-1",
  version: 1,
  status: "searching",
  wanted: {
    instanceType: "p5.48xlarge",
    instanceCount: 1,
    durationHours: 24,
    earliestStart: "2026-11-24T11:30:00.000Z",
    latestStart: "2026-11-30T11:30:00.000Z",
    regions: ["us-east-1"],
  },
  limits: { maxUpfrontFee: "1000", currency: "USD" },
  requireApproval: false,
  platform: "Linux/UNIX",
  createdAt: "2026-11-24T08:00:00.000Z",
  updatedAt: "2026-11-24T08:00:00.000Z",
  createdBy: "test",
  nextCheckAt: "2026-11-24T08:00:00.000Z",
};

type CallOutcome = "answered" | "refused" | "throttled" | "ambiguous-committed" | "ambiguous-not-committed" | "late" | "crash";
type Event = { kind: "step"; call: CallOutcome; lateMs: number; payment: string } | { kind: "advance"; ms: number };

const eventArb: fc.Arbitrary<Event> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("step" as const),
      call: fc.constantFrom<CallOutcome>(
        "answered",
        "refused",
        "throttled",
        "ambiguous-committed",
        "ambiguous-not-committed",
        "late",
        "crash",
      ),
      lateMs: fc.integer({ min: 0, max: SETTLE_MS }),
      payment: fc.constantFrom("payment-pending", "scheduled", "active", "payment-failed"),
    }),
  },
  fc.record({ kind: fc.constant("advance" as const), ms: fc.integer({ min: 1_000, max: 3 * SETTLE_MS }) }),
);

/** EC2 as far as one request is concerned: committed purchases by intent id, and calls that will commit later. */
interface Ec2Model {
  committed: Map<string, ReservationView>;
  late: { intentId: string; landsAt: number }[];
  settledNotBought: Set<string>;
}

const reservationFor = (intentId: string, state: string): ReservationView => ({
  capacityReservationId: `cr-${intentId}`,
  ownerId: "123456789012",
  region: "us-east-1",
  state: state as ReservationView["state"],
  endDate: "2026-11-25T11:30:00.000Z",
});

function land(ec2: Ec2Model, wall: number): void {
  for (const call of ec2.late.filter((c) => c.landsAt <= wall)) {
    // A call landing after its intent was settled "not bought" would be a second purchase waiting to happen.
    expect(ec2.settledNotBought.has(call.intentId), `late commit of ${call.intentId} after it was settled not bought`).toBe(false);
    ec2.committed.set(call.intentId, reservationFor(call.intentId, "payment-pending"));
  }
  ec2.late = ec2.late.filter((c) => c.landsAt > wall);
}

function buy(
  req: CapacityRequest,
  e: Extract<Event, { kind: "step" }>,
  ec2: Ec2Model,
  wall: number,
  at: string,
  n: number,
): CapacityRequest {
  const intent: RequestIntent = {
    id: `intent-${n}`,
    offering: blockOffering({ offeringId: `cbo-${n}` }),
    authorization: { kind: "policy", terms: { ...terms, offeringId: `cbo-${n}` } },
    createdAt: at,
    callSettledAt: new Date(wall + SETTLE_MS).toISOString(),
  };
  const withIntent = withRequestIntent(req, intent, at);
  const errors: Partial<Record<CallOutcome, Error>> = {
    refused: new RejectedError("offering gone"),
    throttled: new ThrottledError("slow down"),
    "ambiguous-committed": new AmbiguousOutcomeError("timeout"),
    "ambiguous-not-committed": new InfrastructureError("socket hang up"),
    late: new TypeError("aborted"),
  };
  if (e.call === "crash") return withIntent;
  if (e.call === "answered" || e.call === "ambiguous-committed") ec2.committed.set(intent.id, reservationFor(intent.id, "payment-pending"));
  if (e.call === "late") ec2.late.push({ intentId: intent.id, landsAt: wall + e.lateMs });
  if (e.call === "answered") return purchaseRecorded(withIntent, ec2.committed.get(intent.id)!, at);
  const err = errors[e.call]!;
  return classifyPurchaseFailure(err) === "ambiguous"
    ? purchaseAmbiguous(withIntent, err.message, at)
    : purchaseRefused(withIntent, err.message, at);
}

const terms = {
  requestId: "req-1",
  instanceType: "p5.48xlarge",
  instanceCount: 1,
  region: "us-east-1",
  availabilityZone: "us-east-1a",
  startDate: "2026-11-24T11:30:00.000Z",
  durationHours: 24,
  maxUpfrontFee: "1000",
  currency: "USD",
};

/** One worker step on `req`, as request-worker.ts carries out core's nextRequestStep. */
function step(req: CapacityRequest, e: Extract<Event, { kind: "step" }>, ec2: Ec2Model, wall: number, n: number): CapacityRequest {
  const at = new Date(wall).toISOString();
  const next = nextRequestStep(req);
  switch (next.kind) {
    case "settle-intent": {
      const tagged = ec2.committed.has(next.intent.id) ? [ec2.committed.get(next.intent.id)!] : [];
      const s = settleRequestIntent(next.intent, tagged, wall);
      if (s.kind === "wait") return intentStillUnsettled(req, at);
      if (s.kind === "bought") return purchaseRecorded(req, s.reservation, at);
      ec2.settledNotBought.add(next.intent.id);
      return intentNotBought(req, at);
    }
    case "follow-payment": {
      const progress = paymentProgress(e.payment);
      if (progress === "failed") return paymentFailed(req, e.payment, at);
      if (progress === "pending") return paymentStillPending(req, e.payment, at);
      return requestFulfilled(req, e.payment, "block-pk", at);
    }
    case "count-successor":
    case "retire":
      return retired(req);
    case "search":
      return e.call === "refused" && n % 5 === 0 ? nothingFits(req, "nothing offered", at, at) : buy(req, e, ec2, wall, at, n);
  }
}

describe("the request lifecycle", () => {
  it("buys at most one block per request and never settles an intent while its call may still land", () => {
    fc.assert(
      fc.property(fc.array(eventArb, { minLength: 1, maxLength: 40 }), (events) => {
        const ec2: Ec2Model = { committed: new Map(), late: [], settledNotBought: new Set() };
        let req = request;
        let wall = T0;
        let recorded: string | undefined;
        for (const [n, e] of events.entries()) {
          if (e.kind === "advance") {
            wall += e.ms;
            land(ec2, wall);
          } else {
            const wasTerminal = TERMINAL_REQUEST_STATUSES.has(req.status);
            req = step(req, e, ec2, wall, n);
            if (wasTerminal) expect(TERMINAL_REQUEST_STATUSES.has(req.status), "a terminal request stays terminal").toBe(true);
          }
          expect(ec2.committed.size + ec2.late.length, "at most one purchase reaches EC2").toBeLessThanOrEqual(1);
          expect(req.intent != null && req.purchase != null, "never an intent and a purchase at once").toBe(false);
          expect(req.status === "purchasing", "purchasing exactly while an intent is open").toBe(req.intent != null);
          if (recorded !== undefined) expect(req.purchase?.intentId, "a recorded purchase stays").toBe(recorded);
          recorded = req.purchase?.intentId ?? recorded;
        }
      }),
      { numRuns: RUNS },
    );
  });

  it("refuses a second intent once one is open or a block was bought", () => {
    const intent = { id: "i", createdAt: request.createdAt, callSettledAt: request.createdAt } as RequestIntent;
    const open = { ...request, intent, status: "purchasing" as const };

    expect(() => withRequestIntent(open, { ...intent, id: "j" }, request.createdAt)).toThrow(RequestInvariantError);
  });
});

describe("classifyPurchaseFailure", () => {
  it("treats a certain refusal as nothing bought", () => {
    expect(classifyPurchaseFailure(new RejectedError("no"))).toBe("rejected");
    expect(classifyPurchaseFailure(new ThrottledError("slow"))).toBe("throttled");
  });

  it("treats any other error as ambiguous", () => {
    expect(classifyPurchaseFailure(new AmbiguousOutcomeError("timeout"))).toBe("ambiguous");
    expect(classifyPurchaseFailure(new InfrastructureError("5xx"))).toBe("ambiguous");
    expect(classifyPurchaseFailure(new TypeError("fetch failed"))).toBe("ambiguous");
    expect(classifyPurchaseFailure("a string")).toBe("ambiguous");
  });
});
