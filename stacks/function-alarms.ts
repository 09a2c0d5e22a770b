import { Duration, type Stack } from "aws-cdk-lib";
import { Alarm, type IMetric, MathExpression } from "aws-cdk-lib/aws-cloudwatch";
import { SnsAction } from "aws-cdk-lib/aws-cloudwatch-actions";
import { type CfnFunction } from "aws-cdk-lib/aws-lambda";
import { type ITopic } from "aws-cdk-lib/aws-sns";
import { type App, type Function } from "sst/constructs";
import {
  type AlarmSpec,
  DURATION_ALARM_SHARE,
  FUNCTION_ALARMS,
  type FunctionAlarmKind,
  JOB_HEARTBEAT,
  runbookLink,
} from "./alarm-specs.js";

/** A function the Monitoring stack watches: a name for its alarms and the runbook, and what it is for. */
export interface WatchedFunction {
  name: string;
  fn: Function;
  /** What the function does, in the alarm descriptions ("the API function", "the key rotation function" …). */
  what: string;
  /** An alarm id and description of its own for the errors alarm, where a failure means more than "look at the log". */
  errors?: { id: string; description: string };
  /** A scheduled job that can buy: its successful runs are its heartbeat. */
  heartbeat?: boolean;
}

/** An alarm as every CBM alarm is built: named per stage, with its runbook link, notifying the alarm topic. */
export function cbmAlarm(stack: Stack, app: App, topic: ITopic, spec: AlarmSpec, metric: IMetric, anchor = spec.id): Alarm {
  const alarm = new Alarm(stack, spec.id, {
    alarmName: app.logicalPrefixedName(spec.id),
    alarmDescription: `${spec.description} ${runbookLink(anchor)}`,
    metric,
    threshold: spec.threshold,
    comparisonOperator: spec.comparison,
    evaluationPeriods: spec.evaluationPeriods,
    datapointsToAlarm: spec.evaluationPeriods,
    treatMissingData: spec.treatMissingData,
  });
  alarm.addAlarmAction(new SnsAction(topic));
  if (spec.okAction) alarm.addOkAction(new SnsAction(topic));
  return alarm;
}

/** The function's timeout in seconds, read from the function itself so no alarm repeats it. */
export const timeoutOf = (fn: Function): number => (fn.node.defaultChild as CfnFunction).timeout ?? 3;

/**
 * Errors, throttles and duration near the timeout for one function, and for a job that buys a heartbeat: Lambda's
 * Invocations minus Errors per minute, below 1 for 5 minutes (missing data breaching, so a schedule that stopped
 * alarms too). The request worker's own metrics count what a run did (stacks/alarm-specs.ts), not that it ran, so
 * Lambda's are its heartbeat.
 */
export function watchFunction(stack: Stack, app: App, topic: ITopic, w: WatchedFunction): Alarm[] {
  const period = (minutes: number) => Duration.minutes(minutes);
  const metrics: Record<FunctionAlarmKind, (p: number) => IMetric> = {
    errors: (p) => w.fn.metricErrors({ statistic: "Sum", period: period(p) }),
    throttles: (p) => w.fn.metricThrottles({ statistic: "Sum", period: period(p) }),
    duration: (p) => w.fn.metricDuration({ statistic: "Maximum", period: period(p) }),
  };
  const alarms = (Object.keys(FUNCTION_ALARMS) as FunctionAlarmKind[]).map((kind) => {
    const base = FUNCTION_ALARMS[kind];
    const own = kind === "errors" ? w.errors : undefined;
    const spec: AlarmSpec = {
      ...base,
      id: own?.id ?? `${w.name}${base.suffix}`,
      description: own?.description ?? base.description.replace("{fn}", w.what),
      threshold: kind === "duration" ? Math.round(timeoutOf(w.fn) * 1000 * DURATION_ALARM_SHARE) : base.threshold!,
    };
    // One runbook section per kind for every function, except an alarm with a section of its own.
    return cbmAlarm(stack, app, topic, spec, metrics[kind](spec.periodMinutes), own ? spec.id : `function-${kind}`);
  });
  if (w.heartbeat) {
    const spec: AlarmSpec = {
      ...JOB_HEARTBEAT,
      id: `${w.name}Heartbeat`,
      description: `No successful run of the ${w.what} function for 5 minutes: it fails or does not run at all.`,
    };
    const successes = new MathExpression({
      label: `${w.name} successful runs`,
      expression: "invocations - FILL(errors, 0)",
      usingMetrics: {
        invocations: w.fn.metricInvocations({ statistic: "Sum", period: period(spec.periodMinutes) }),
        errors: w.fn.metricErrors({ statistic: "Sum", period: period(spec.periodMinutes) }),
      },
      period: period(spec.periodMinutes),
    });
    alarms.push(cbmAlarm(stack, app, topic, spec, successes));
  }
  return alarms;
}
