/**
 * The concrete world every table row is built in: one reservation, one end date, a day before it (the window open,
 * no last call due), two price levels against a cap of 1500, and the core functions the rows are computed with.
 */
import {
  DEFAULT_ENGINE_SETTINGS,
  ExtensionPolicy,
  authorizePurchase,
  chooseOffering as chooseBlockOffering,
  decide,
  linkState,
  planSuccessor,
  type Block,
  type ExtensionRecord,
} from "@cbm/core";

/** The core functions the tables are generated from; a test passes perturbed ones to show the tie catches drift. */
export interface CoreTransitions {
  decide: typeof decide;
  authorizePurchase: typeof authorizePurchase;
  chooseBlockOffering: typeof chooseBlockOffering;
  planSuccessor: typeof planSuccessor;
  linkState: typeof linkState;
}

export const realCore: CoreTransitions = { decide, authorizePurchase, chooseBlockOffering, planSuccessor, linkState };

export const CR = "cr-0a1b2c3d4e5f60718";
export const END = "2026-06-04T11:30:00.000Z";
export const LATER_END = "2026-06-11T11:30:00.000Z";
// A day before the end: the window is open, no last call is due, and a notice sent a minute ago needs no reminder.
export const NOW = new Date(Date.parse(END) - 24 * 3_600_000);
export const MINUTE = 60_000;
export const iso = (ms: number) => new Date(ms).toISOString();
export const settings = { ...DEFAULT_ENGINE_SETTINGS, accountId: "123456789012", autoApprove: false };

/** The model's price levels: 1 is within the policy's cap, 2 above it. The cap itself is 1500. */
export const FEE = { cheap: "1000", dear: "2000" } as const;

export function baseBlock(requireApproval: boolean, enabled: boolean, budget: string): Block {
  return {
    PK: "blk-1",
    registrationId: "reg-1",
    capacityReservationId: CR,
    region: "us-east-2",
    availabilityZone: "us-east-2a",
    endDate: END,
    approved: false,
    createdAt: "2026-05-01T00:00:00.000Z",
    updatedAt: "2026-05-01T00:00:00.000Z",
    status: "waiting",
    version: 3,
    policy: ExtensionPolicy.parse({ requireApproval, enabled, maxUpfrontFee: "1500", budget, lookaheadHours: 48 }),
    spent: "0",
    extensionsPurchased: 0,
  };
}

export function reservation(endDate: string) {
  return {
    capacityReservationId: CR,
    ownerId: settings.accountId,
    region: "us-east-2",
    state: "active" as const,
    instanceType: "p5.48xlarge",
    instanceCount: 2,
    availabilityZone: "us-east-2a",
    startDate: "2026-06-02T11:30:00.000Z",
    endDate,
  };
}

export function extension(offeringId: string, status: ExtensionRecord["status"]): ExtensionRecord {
  return {
    capacityReservationId: CR,
    offeringId,
    status,
    durationHours: 168,
    purchaseDate: iso(NOW.getTime() - 5 * MINUTE),
    startDate: END,
    endDate: LATER_END,
    upfrontFee: FEE.cheap,
    currencyCode: "USD",
  };
}
