import { Duration } from "aws-cdk-lib";
import { Metric } from "aws-cdk-lib/aws-cloudwatch";
import { type StackContext, use } from "sst/constructs";
import { ALARMS, GATEWAY_ALARMS } from "./alarm-specs.js";
import { Api } from "./api.js";
import { stageDashboard } from "./dashboard.js";
import { cbmAlarm, watchFunction, type WatchedFunction } from "./function-alarms.js";
import { Jobs } from "./jobs.js";
import { Notices } from "./notices.js";
import { Notifications } from "./notifications.js";
import { Secrets } from "./secrets.js";
import { ALARMED_METRICS, METRICS_NAMESPACE } from "@cbm/functions/contracts";

export { ALARMS, type AlarmSpec } from "./alarm-specs.js";

/** Every function of the app by its watch name; a test fails when a function exists that is not in this list. */
export const WATCHED_FUNCTION_NAMES = ["Api", "Web", "Planning", "KeyRotation", "Tick", "Requests", "Notices"] as const;

/**
 * What watches a stage: alarms on CBM's own metrics (dimension `stage`), errors, throttles and duration near the
 * timeout of every function, a heartbeat for each scheduled job that can buy, API Gateway's own 5xx and latency, and
 * one dashboard. Every alarm notifies the alarm topic (stacks/notifications.ts), which every stage has.
 */
export function Monitoring({ stack, app }: StackContext) {
  const { handler, web, planning, api } = use(Api);
  const { rotation } = use(Secrets);
  const { tick, requests, buying } = use(Jobs);
  const { fn: notices } = use(Notices);
  const { alarms: topic } = use(Notifications);
  const stage = app.stage;

  const cbmMetric = (metricName: string, statistic: "Sum" | "Maximum", periodMinutes: number, extra: Record<string, string> = {}) =>
    new Metric({
      namespace: METRICS_NAMESPACE,
      metricName,
      dimensionsMap: { stage, ...extra },
      statistic,
      period: Duration.minutes(periodMinutes),
    });
  const alarm = (spec: (typeof ALARMS)[keyof typeof ALARMS], metric: Metric) => cbmAlarm(stack, app, topic, spec, metric);

  const alarms = [
    alarm(ALARMS.blocksAtRisk, cbmMetric(ALARMED_METRICS.blocksAtRisk, "Maximum", ALARMS.blocksAtRisk.periodMinutes)),
    alarm(ALARMS.paymentFailed, cbmMetric(ALARMED_METRICS.paymentFailed, "Sum", ALARMS.paymentFailed.periodMinutes)),
    alarm(ALARMS.apiServerErrors, cbmMetric(ALARMED_METRICS.apiErrors, "Sum", ALARMS.apiServerErrors.periodMinutes, { class: "5xx" })),
    alarm(ALARMS.ec2Errors, cbmMetric(ALARMED_METRICS.ec2Errors, "Sum", ALARMS.ec2Errors.periodMinutes)),
    alarm(ALARMS.requestErrors, cbmMetric(ALARMED_METRICS.requestErrors, "Sum", ALARMS.requestErrors.periodMinutes)),
    alarm(ALARMS.requestPurchaseHeld, cbmMetric(ALARMED_METRICS.requestPurchasesHeld, "Sum", ALARMS.requestPurchaseHeld.periodMinutes)),
    alarm(ALARMS.noticeSendFailures, cbmMetric(ALARMED_METRICS.noticeSendFailures, "Sum", ALARMS.noticeSendFailures.periodMinutes)),
  ];
  // A job that sst dev does not schedule (stacks/dev-mode.ts) would only ever breach its heartbeat.
  if (buying) alarms.push(alarm(ALARMS.tickHeartbeat, cbmMetric(ALARMED_METRICS.tickHeartbeat, "Sum", ALARMS.tickHeartbeat.periodMinutes)));

  const gatewayStage = api.cdk.restApi.deploymentStage;
  const gateway = (spec: (typeof GATEWAY_ALARMS)[keyof typeof GATEWAY_ALARMS], metric: Metric) => cbmAlarm(stack, app, topic, spec, metric);
  alarms.push(
    gateway(
      GATEWAY_ALARMS.serverErrors,
      gatewayStage.metricServerError({ statistic: "Sum", period: Duration.minutes(GATEWAY_ALARMS.serverErrors.periodMinutes) }),
    ),
    gateway(
      GATEWAY_ALARMS.latency,
      gatewayStage.metricLatency({ statistic: "p99", period: Duration.minutes(GATEWAY_ALARMS.latency.periodMinutes) }),
    ),
  );

  const watched: WatchedFunction[] = [
    { name: "Api", fn: handler, what: "REST API" },
    { name: "Web", fn: web, what: "approval-link and console pages" },
    { name: "Planning", fn: planning, what: "planning API" },
    {
      name: "KeyRotation",
      fn: rotation,
      what: "API key rotation",
      errors: {
        id: "KeyRotationFailed",
        description:
          "The API key rotation or reconcile failed: API Gateway's keys may be out of step with the secret, and a client with the current key may get 403.",
      },
    },
    { name: "Tick", fn: tick, what: "scheduler tick" },
    { name: "Requests", fn: requests, what: "capacity-request worker", heartbeat: buying },
    { name: "Notices", fn: notices, what: "notices (AWS events, expiry reminders)" },
  ];
  for (const w of watched) alarms.push(...watchFunction(stack, app, topic, w));

  const dashboard = stageDashboard(stack, app, { watched, gatewayStage, cbmMetric, alarms });
  return { alarms, watched, dashboard };
}
