import { Duration } from "aws-cdk-lib";
import { Alarm, ComparisonOperator, type IMetric, Metric, TreatMissingData } from "aws-cdk-lib/aws-cloudwatch";
import { SnsAction } from "aws-cdk-lib/aws-cloudwatch-actions";
import { type StackContext, use } from "sst/constructs";
import { Jobs } from "./jobs.js";
import { Notifications } from "./notifications.js";

/** The namespace the handlers write their embedded-metric-format documents to (packages/functions/src/observability). */
export const METRICS_NAMESPACE = "CapacityBlockManager";

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

/** The alarms, by concern; the README (Observability) says what to do when each fires. */
export const ALARMS = {
  /** Dead-man's switch: only a tick that finished writes TickHeartbeat = 1, so silence (no ticks at all) breaches. */
  tickHeartbeat: {
    id: "TickHeartbeat",
    description:
      "No successful scheduler tick for 5 minutes: the tick fails or does not run at all. Blocks are not being watched or extended.",
    comparison: ComparisonOperator.LESS_THAN_THRESHOLD,
    threshold: 1,
    periodMinutes: 1,
    evaluationPeriods: 5,
    treatMissingData: TreatMissingData.BREACHING,
    okAction: true,
  },
  tickErrors: {
    id: "TickFunctionErrors",
    description: "The scheduler tick function failed (Lambda Errors > 0 in 5 minutes). See the tick's log group for 'tick failed'.",
    comparison: ComparisonOperator.GREATER_THAN_THRESHOLD,
    threshold: 0,
    periodMinutes: 5,
    evaluationPeriods: 1,
    treatMissingData: TreatMissingData.NOT_BREACHING,
    okAction: true,
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
    comparison: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    threshold: 1,
    periodMinutes: 5,
    evaluationPeriods: 1,
    treatMissingData: TreatMissingData.NOT_BREACHING,
    okAction: false,
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
} as const satisfies Record<string, AlarmSpec>;

/**
 * CloudWatch alarms on the metrics the handlers write (embedded metric format, dimension `stage`) and on the tick
 * function's own Errors. With `ADMIN_EMAIL` they notify the approval topic (no KMS on it, so CloudWatch can
 * publish); without it there is no topic and the alarms exist without actions: visible in the console and to any
 * action added to them later, but they notify no one.
 */
export function Monitoring({ stack, app }: StackContext) {
  const { tick } = use(Jobs);
  const { topic } = use(Notifications);
  const stage = app.stage;

  const cbmMetric = (metricName: string, statistic: "Sum" | "Maximum", periodMinutes: number, extra: Record<string, string> = {}) =>
    new Metric({
      namespace: METRICS_NAMESPACE,
      metricName,
      dimensionsMap: { stage, ...extra },
      statistic,
      period: Duration.minutes(periodMinutes),
    });

  const alarm = (spec: AlarmSpec, metric: IMetric) => {
    const a = new Alarm(stack, spec.id, {
      alarmName: app.logicalPrefixedName(spec.id),
      alarmDescription: `${spec.description} Runbook: README.md#${spec.id.toLowerCase()}`,
      metric,
      threshold: spec.threshold,
      comparisonOperator: spec.comparison,
      evaluationPeriods: spec.evaluationPeriods,
      datapointsToAlarm: spec.evaluationPeriods,
      treatMissingData: spec.treatMissingData,
    });
    if (topic) {
      a.addAlarmAction(new SnsAction(topic));
      if (spec.okAction) a.addOkAction(new SnsAction(topic));
    }
    return a;
  };

  const alarms = {
    tickHeartbeat: alarm(ALARMS.tickHeartbeat, cbmMetric("TickHeartbeat", "Sum", ALARMS.tickHeartbeat.periodMinutes)),
    tickErrors: alarm(
      ALARMS.tickErrors,
      tick.metricErrors({ statistic: "Sum", period: Duration.minutes(ALARMS.tickErrors.periodMinutes) }),
    ),
    blocksAtRisk: alarm(ALARMS.blocksAtRisk, cbmMetric("BlocksAtRisk", "Maximum", ALARMS.blocksAtRisk.periodMinutes)),
    paymentFailed: alarm(ALARMS.paymentFailed, cbmMetric("PaymentFailed", "Sum", ALARMS.paymentFailed.periodMinutes)),
    apiServerErrors: alarm(ALARMS.apiServerErrors, cbmMetric("ApiErrors", "Sum", ALARMS.apiServerErrors.periodMinutes, { class: "5xx" })),
    ec2Errors: alarm(ALARMS.ec2Errors, cbmMetric("Ec2Errors", "Sum", ALARMS.ec2Errors.periodMinutes)),
  };
  return { alarms };
}
