import { ComparisonOperator, TreatMissingData } from "aws-cdk-lib/aws-cloudwatch";

/** One alarm: what it reads, when it fires, and whether its return to OK is worth an e-mail. */
export interface AlarmSpec {
  id: string;
  description: string;
  comparison: ComparisonOperator;
  threshold: number;
  periodMinutes: number;
  evaluationPeriods: number;
  treatMissingData: TreatMissingData;
  okAction: boolean;
}

/** Where each alarm's description sends the reader: its section in the runbook (docs/operations.md). */
export const runbookLink = (anchor: string) => `Runbook: docs/operations.md#${anchor.toLowerCase()}`;

/**
 * A scheduled job's heartbeat alarm: fewer than one successful run a minute for 5 minutes, silence included. The tick's
 * reads its TickHeartbeat metric; a job that buys and writes no heartbeat metric of its own reads its invocations.
 */
export const JOB_HEARTBEAT: Omit<AlarmSpec, "id" | "description"> = {
  comparison: ComparisonOperator.LESS_THAN_THRESHOLD,
  threshold: 1,
  periodMinutes: 1,
  evaluationPeriods: 5,
  treatMissingData: TreatMissingData.BREACHING,
  okAction: true,
};

/**
 * An event an operator must look at each time it happens (a failed payment, a held purchase): one in 5 minutes
 * alarms, and no "recovered" e-mail follows, since nothing recovers by itself.
 */
const ONE_SHOT: Omit<AlarmSpec, "id" | "description"> = {
  comparison: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
  threshold: 1,
  periodMinutes: 5,
  evaluationPeriods: 1,
  treatMissingData: TreatMissingData.NOT_BREACHING,
  okAction: false,
};

/** The alarms on CBM's own metrics (embedded metric format, dimension `stage`), by concern. */
export const ALARMS = {
  /** Dead-man's switch: only a tick that finished writes TickHeartbeat = 1, so silence (no ticks at all) breaches. */
  tickHeartbeat: {
    id: "TickHeartbeat",
    description:
      "No successful scheduler tick for 5 minutes: the tick fails or does not run at all. Blocks are not being watched or extended.",
    ...JOB_HEARTBEAT,
  },
  /**
   * The tick counts at-risk blocks every ~5 minutes (a sweep of all blocks), so the period is longer than that; missing
   * data keeps the last state (the heartbeat alarm covers a tick that stopped).
   */
  blocksAtRisk: {
    id: "BlocksAtRisk",
    description:
      "A block ends within 24 hours, its policy says to extend it, and no extension for it is paid. It will end unless someone acts: see the tick's 'block at risk' log lines.",
    comparison: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    threshold: 1,
    periodMinutes: 10,
    evaluationPeriods: 1,
    treatMissingData: TreatMissingData.IGNORE,
    okAction: true,
  },
  /** One event per failed payment: the alarm fires for it and clears by itself; an OK e-mail would be noise. */
  paymentFailed: {
    id: "PaymentFailed",
    description:
      "EC2 reported payment-failed for an extension. The block keeps its old end date and CBM does not buy again in that window.",
    ...ONE_SHOT,
  },
  apiServerErrors: {
    id: "ApiServerErrors",
    description:
      "The API answered 5 or more requests with 5xx in 5 minutes (a dependency or a bug). See the API's log group for level=error lines.",
    comparison: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    threshold: 5,
    periodMinutes: 5,
    evaluationPeriods: 1,
    treatMissingData: TreatMissingData.NOT_BREACHING,
    okAction: true,
  },
  ec2Errors: {
    id: "Ec2Errors",
    description:
      "5 or more EC2 calls of the scheduler failed in 5 minutes (throttles not counted). Blocks back off; purchases may be delayed.",
    comparison: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    threshold: 5,
    periodMinutes: 5,
    evaluationPeriods: 1,
    treatMissingData: TreatMissingData.NOT_BREACHING,
    okAction: true,
  },
  /**
   * The request worker logs a failed step and leaves the request for the next run, so its Lambda succeeds: only its
   * own count shows a request that fails run after run (one that fails every minute reaches 3 within 5 minutes).
   */
  requestErrors: {
    id: "RequestErrors",
    description:
      "Capacity-request steps failed 3 or more times in 5 minutes: a request is neither quoted nor bought. See the Requests log group's 'capacity request step failed' lines.",
    comparison: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    threshold: 3,
    periodMinutes: 5,
    evaluationPeriods: 1,
    treatMissingData: TreatMissingData.NOT_BREACHING,
    okAction: true,
  },
  /** One event per ambiguous purchase, settled by the worker itself: the alarm fires for it and clears by itself. */
  requestPurchaseHeld: {
    id: "RequestPurchaseHeld",
    description:
      "A capacity-request purchase ended without a clear answer from EC2: CBM holds its intent and settles it from the reservation's cbm:intent tag within minutes, never buying again before then.",
    ...ONE_SHOT,
  },
  /** A reminder that failed is logged and retried, so the Lambda succeeds: only this count shows a notifier that refuses. */
  noticeSendFailures: {
    id: "NoticeSendFailures",
    description:
      "The notifier refused a notice (an AWS Capacity Block event or an expiry reminder) in the last 5 minutes: people may not learn that a block ends or changed.",
    comparison: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    threshold: 1,
    periodMinutes: 5,
    evaluationPeriods: 1,
    treatMissingData: TreatMissingData.NOT_BREACHING,
    okAction: true,
  },
} as const satisfies Record<string, AlarmSpec>;

/**
 * API Gateway's own metrics, which see what the handlers' ApiErrors cannot: an init crash, a function timeout or a
 * throttle reaches the client as a 502/504 that no handler code wrote.
 */
export const GATEWAY_ALARMS = {
  serverErrors: {
    id: "ApiGateway5xx",
    description: "API Gateway answered 5 or more requests with 5xx in 5 minutes (function crash, timeout or throttle included).",
    comparison: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    threshold: 5,
    periodMinutes: 5,
    evaluationPeriods: 1,
    treatMissingData: TreatMissingData.NOT_BREACHING,
    okAction: true,
  },
  /** p99 over 5 s for 15 minutes: the functions time out at 10 s, so this is a dependency slowing every request. */
  latency: {
    id: "ApiGatewayLatency",
    description: "The API's p99 latency stayed above 5 seconds for 15 minutes (a slow dependency or cold starts at every request).",
    comparison: ComparisonOperator.GREATER_THAN_THRESHOLD,
    threshold: 5_000,
    periodMinutes: 5,
    evaluationPeriods: 3,
    treatMissingData: TreatMissingData.NOT_BREACHING,
    okAction: true,
  },
} as const satisfies Record<string, AlarmSpec>;

/** A Lambda metric alarm every function gets; `{fn}` in the id and description is the function's watch name. */
export type FunctionAlarmKind = "errors" | "throttles" | "duration";

/** Duration alarms fire at this share of the function's timeout: a run this long is about to be killed mid-call. */
export const DURATION_ALARM_SHARE = 0.8;

/** The three alarms of each function (the duration threshold is its share of the function's own timeout). */
export const FUNCTION_ALARMS: Record<FunctionAlarmKind, Omit<AlarmSpec, "id" | "threshold"> & { suffix: string; threshold?: number }> = {
  errors: {
    suffix: "Errors",
    description: "The {fn} function failed (Lambda Errors > 0 in 5 minutes: an exception, a timeout or an init crash).",
    comparison: ComparisonOperator.GREATER_THAN_THRESHOLD,
    threshold: 0,
    periodMinutes: 5,
    evaluationPeriods: 1,
    treatMissingData: TreatMissingData.NOT_BREACHING,
    okAction: true,
  },
  throttles: {
    suffix: "Throttles",
    description: "Lambda throttled the {fn} function in the last 5 minutes (account or function concurrency exhausted).",
    comparison: ComparisonOperator.GREATER_THAN_THRESHOLD,
    threshold: 0,
    periodMinutes: 5,
    evaluationPeriods: 1,
    treatMissingData: TreatMissingData.NOT_BREACHING,
    okAction: true,
  },
  duration: {
    suffix: "Duration",
    description: `A run of the {fn} function took over ${DURATION_ALARM_SHARE * 100}% of its timeout in the last 5 minutes: it is close to being killed mid-call.`,
    comparison: ComparisonOperator.GREATER_THAN_THRESHOLD,
    periodMinutes: 5,
    evaluationPeriods: 1,
    treatMissingData: TreatMissingData.NOT_BREACHING,
    okAction: true,
  },
};
