import { expect } from "vitest";
import {
  DEFAULT_ENGINE_SETTINGS,
  ExtensionPolicy,
  type Block,
  type BlockOffering,
  type DecideInput,
  type Decision,
  type EngineSettings,
  type ExtensionOffering,
  type ExtensionRecord,
  type PurchaseIntent,
  type FieldIssue,
  type LinkClaims,
  type ReservationView,
  ValidationError,
  linkClaimsFor,
  linkExpiresAt,
} from "../src/index";

export const ACCOUNT = "123456789012";
export const CR = "cr-0a1b2c3d4e5f60718";
/** The current EC2 end date of the fixture block: the window. */
export const END = "2025-06-04T11:30:00.000Z";
export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

export const settings: EngineSettings = { ...DEFAULT_ENGINE_SETTINGS, accountId: ACCOUNT, autoApprove: false };

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}
export function before(end: string, ms: number): Date {
  return new Date(Date.parse(end) - ms);
}
export function plus(isoStr: string, ms: number): string {
  return iso(Date.parse(isoStr) + ms);
}

export function makeBlock(over: Partial<Block> = {}, policy: Partial<ExtensionPolicy> = {}): Block {
  return {
    PK: "blk-1",
    capacityReservationId: CR,
    region: "us-east-2",
    availabilityZone: "us-east-2a",
    endDate: END,
    approved: false,
    createdAt: "2025-05-01T00:00:00.000Z",
    updatedAt: "2025-05-01T00:00:00.000Z",
    status: "waiting",
    version: 3,
    policy: ExtensionPolicy.parse({ requireApproval: false, ...policy }),
    spent: "0",
    extensionsPurchased: 0,
    ...over,
  };
}

export function makeReservation(over: Partial<ReservationView> = {}): ReservationView {
  return {
    capacityReservationId: CR,
    ownerId: ACCOUNT,
    region: "us-east-2",
    state: "active",
    instanceType: "p5.48xlarge",
    instanceCount: 2,
    availabilityZone: "us-east-2a",
    platform: "Linux/UNIX",
    tenancy: "default",
    startDate: "2025-06-02T11:30:00.000Z",
    endDate: END,
    reservationType: "capacity-block",
    ...over,
  };
}

export function offering(over: Partial<ExtensionOffering> = {}): ExtensionOffering {
  const durationHours = over.durationHours ?? 168;
  const startDate = over.startDate ?? END;
  return {
    offeringId: `cbe-${durationHours}-${over.upfrontFee ?? "1000"}`,
    capacityReservationId: CR,
    durationHours,
    startDate,
    endDate: plus(startDate, durationHours * HOUR),
    upfrontFee: "1000",
    currencyCode: "USD",
    ...over,
  };
}

export function record(over: Partial<ExtensionRecord> = {}): ExtensionRecord {
  const durationHours = over.durationHours ?? 168;
  const startDate = over.startDate ?? END;
  return {
    capacityReservationId: CR,
    offeringId: "cbe-bought",
    status: "payment-pending",
    durationHours,
    purchaseDate: "2025-06-03T08:15:42.000Z",
    startDate,
    endDate: plus(startDate, durationHours * HOUR),
    upfrontFee: "1000",
    currencyCode: "USD",
    ...over,
  };
}

/** Offerings grouped by duration, as the scheduler hands them to the engine. */
export function offeringsMap(...list: ExtensionOffering[]): Map<number, ExtensionOffering[]> {
  const m = new Map<number, ExtensionOffering[]>();
  for (const o of list) m.set(o.durationHours, [...(m.get(o.durationHours) ?? []), o]);
  return m;
}

/** A decide() input inside the window (24 h before the end) with a 7-day offering at 1000 USD. */
export function input(over: Partial<DecideInput> = {}): DecideInput {
  return {
    block: makeBlock(),
    reservation: makeReservation(),
    history: [],
    offerings: offeringsMap(offering()),
    now: before(END, 24 * HOUR),
    settings,
    ...over,
  };
}

/** The decision, narrowed to `kind` after asserting that it is that kind. */
export function expectKind<K extends Decision["kind"]>(d: Decision, kind: K): Extract<Decision, { kind: K }> {
  expect(d.kind).toBe(kind);
  return d as Extract<Decision, { kind: K }>;
}

/** A purchase intent recorded ten minutes into the last day before END. */
export const intent = (over: Partial<PurchaseIntent> = {}): PurchaseIntent => ({
  id: "int-1",
  window: END,
  offeringId: "cbe-bought",
  durationHours: 168,
  upfrontFee: "1000",
  currencyCode: "USD",
  createdAt: iso(before(END, 24 * HOUR).getTime() - 10 * 60_000),
  ...over,
});

/** A Capacity Block offering as EC2 lists it: the emulator's p5.48xlarge × 1 for 24 h at 755.14 USD. */
export const blockOffering = (over: Partial<BlockOffering> = {}): BlockOffering => ({
  offeringId: "cb-00000000000000001",
  region: "us-east-1",
  availabilityZone: "us-east-1a",
  instanceType: "p5.48xlarge",
  instanceCount: 1,
  startDate: "2026-11-24T11:30:00.000Z",
  endDate: "2026-11-25T11:30:00.000Z",
  durationHours: 24,
  durationMinutes: 0,
  upfrontFee: "755.14",
  currencyCode: "USD",
  ...over,
});

/** The issues of the ValidationError `act` throws (the test fails when it throws nothing or something else). */
export function issuesOf(act: () => unknown): FieldIssue[] {
  try {
    act();
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    return (err as ValidationError).issues;
  }
  throw new Error("expected a ValidationError");
}

/** A one-day extension at 1510.27 USD from END: the quote the approval notice of askedBlock showed. */
export const QUOTE = offering({ offeringId: "cbe-1", durationHours: 24, upfrontFee: "1510.27" });

/**
 * A block awaiting approval of QUOTE (of `fee`, when given), asked at `sentAt`, under a policy that requires approval
 * of one-day extensions.
 */
export function askedBlock(sentAt: Date, opts: { fee?: string; policy?: Partial<ExtensionPolicy>; over?: Partial<Block> } = {}): Block {
  return makeBlock(
    {
      registrationId: "reg-1",
      status: "awaiting-approval",
      approvalRequest: {
        window: END,
        firstSentAt: sentAt.toISOString(),
        lastSentAt: sentAt.toISOString(),
        count: 1,
        lastCallSent: false,
        offeringId: QUOTE.offeringId,
        upfrontFee: opts.fee ?? QUOTE.upfrontFee,
        durationHours: QUOTE.durationHours,
        currencyCode: QUOTE.currencyCode,
      },
      ...opts.over,
    },
    { requireApproval: true, extendByDays: 1, ...opts.policy },
  );
}

/** The claims of the approval link the notice about `asked` (see askedBlock) sent to fin@example.com. */
export function quoteLinkClaims(asked: Block): LinkClaims {
  return linkClaimsFor(asked, END, QUOTE, {
    id: "01JLINK0000000000000000001",
    to: "fin@example.com",
    expiresAt: linkExpiresAt(asked, END, settings),
  });
}

/**
 * "run", the block of the successor tests: p5.48xlarge × 4 in us-east-1a, ending 2026-11-25 with no offering, whose
 * policy opens a successor request.
 */
export function runBlock(over: Partial<Block> = {}, policy: Partial<ExtensionPolicy> = {}): Block {
  return {
    PK: "run",
    capacityReservationId: "cr-00000000000000001",
    registrationId: "01JREG",
    region: "us-east-1",
    availabilityZone: "us-east-1a",
    instanceType: "p5.48xlarge",
    instanceCount: 4,
    endDate: "2026-11-25T11:30:00.000Z",
    approved: false,
    createdAt: "2026-11-01T00:00:00.000Z",
    updatedAt: "2026-11-01T00:00:00.000Z",
    status: "no-offering",
    version: 3,
    spent: "100",
    extensionsPurchased: 0,
    policy: ExtensionPolicy.parse({
      extendByDays: 7,
      requireApproval: true,
      maxUpfrontFee: "9000",
      budget: "20000",
      openSuccessorRequest: true,
      ...policy,
    }),
    ...over,
  };
}
