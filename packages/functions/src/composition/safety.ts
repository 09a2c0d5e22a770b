import { API_DYNAMO_LIMITS, TICK_DYNAMO_LIMITS, type CallLimits } from "../adapters/call-limits";
import type { Ec2CallSettings } from "../adapters/ec2-capacity-provider";

/*
 * The settings that protect money, decided once for every way CBM runs (each Lambda, local mode, --aws, the benches,
 * the test harnesses). Nothing else sets them: the assembly builds every function from these, and the assembly test
 * (test/assembly.test.ts) compares what each entry point actually built.
 */

/**
 * One purchase call (PurchaseCapacityBlock, PurchaseCapacityBlockExtension): one attempt, no SDK retry, this long.
 * Its outcome is ambiguous after that, and settled only from EC2's own record.
 */
export const PURCHASE_TIMEOUT_MS = 10_000;

/**
 * How long after a purchase call's timeout its order may still land in EC2 (the adapter aborts the socket 1 s after
 * the timeout; EC2 may commit a request it already read) and EC2's views (extension history, the tag filter) may
 * take to show it. Only after the call's timeout plus this margin may an intent be settled "not bought".
 */
export const SETTLE_MARGIN_MS = 2 * 60_000;

/** The wait before an ambiguous purchase may be settled "not bought": always derived from the call it protects. */
export function settleWaitMs(callTimeoutMs: number): number {
  return callTimeoutMs + SETTLE_MARGIN_MS;
}

/** Which way a function is used, which decides how long its dependencies may make it wait. */
export type CallProfile = "interactive" | "scheduled";

/**
 * Interactive functions (the JSON API, the pages, the planning API) have a person waiting: a stalled DynamoDB is a
 * 503 in about 3 s, and an offering search gives up at 4 s × 2 (API Gateway gives up at 29 s). Scheduled functions
 * (tick, requests, notices, usage) have a minute: a stalled read ends the run in 3 s; purchases use the timeout above.
 */
export const CALL_PROFILES: Record<CallProfile, { dynamodb: CallLimits; ec2: Omit<Ec2CallSettings, "purchaseMaxAttempts"> }> = {
  interactive: { dynamodb: API_DYNAMO_LIMITS, ec2: { requestTimeoutMs: 4_000, describeMaxAttempts: 2 } },
  scheduled: { dynamodb: TICK_DYNAMO_LIMITS, ec2: { requestTimeoutMs: PURCHASE_TIMEOUT_MS, describeMaxAttempts: 3 } },
};

/** What one built function does to keep money safe, read from the objects the assembly built. */
export interface SafetyManifest {
  /** "METHOD /path" of each route whose retries with the same Idempotency-Key replay the first answer. */
  idempotentRoutes?: string[];
  /** The limits of the DynamoDB clients the function's stores use. */
  dynamodb?: CallLimits;
  /** The call settings of the function's EC2 adapter. */
  ec2?: Ec2CallSettings;
  /** A purchase's call timeout and the wait before its intent may be settled "not bought". */
  purchase?: { callTimeoutMs: number; settleWaitMs: number };
}

/** A function the assembly built, with its safety manifest. */
export interface Built<F> {
  fn: F;
  safety: SafetyManifest;
}
