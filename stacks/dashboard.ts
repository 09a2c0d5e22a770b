import { type Stack } from "aws-cdk-lib";
import { type Stage } from "aws-cdk-lib/aws-apigateway";
import { type Alarm, AlarmStatusWidget, Dashboard, GraphWidget, type Metric, TextWidget } from "aws-cdk-lib/aws-cloudwatch";
import { type App } from "sst/constructs";
import { ALARMED_METRICS } from "@cbm/functions/contracts";
import { type WatchedFunction, timeoutOf } from "./function-alarms.js";

/**
 * One dashboard per stage, `<stage>-capacity-block-manager`: every alarm's state first (what the runbook starts
 * from), then CBM's own metrics, API Gateway, and one row per function (runs, errors, throttles; duration against
 * its timeout).
 */
export function stageDashboard(
  stack: Stack,
  app: App,
  opts: {
    watched: WatchedFunction[];
    gatewayStage: Stage;
    cbmMetric: (name: string, statistic: "Sum" | "Maximum", periodMinutes: number, extra?: Record<string, string>) => Metric;
    alarms: Alarm[];
  },
): Dashboard {
  const dashboard = new Dashboard(stack, "Dashboard", { dashboardName: app.logicalPrefixedName("dashboard") });
  dashboard.addWidgets(
    new TextWidget({
      markdown: `# Capacity Block Manager (${app.stage})\nRunbook: docs/operations.md, section Alarms.`,
      width: 24,
      height: 2,
    }),
  );
  dashboard.addWidgets(new AlarmStatusWidget({ title: "Alarms", alarms: opts.alarms, width: 24, height: 6 }));
  const m = opts.cbmMetric;
  dashboard.addWidgets(
    new GraphWidget({
      title: "Tick heartbeat and blocks at risk",
      left: [m(ALARMED_METRICS.tickHeartbeat, "Sum", 1)],
      right: [m(ALARMED_METRICS.blocksAtRisk, "Maximum", 5)],
    }),
    new GraphWidget({
      title: "EC2 errors, payments failed",
      left: [m(ALARMED_METRICS.ec2Errors, "Sum", 5), m(ALARMED_METRICS.paymentFailed, "Sum", 5)],
    }),
    new GraphWidget({
      title: "Capacity requests: processed, bought, held, errors",
      left: [
        m("RequestsProcessed", "Sum", 5),
        m("RequestPurchases", "Sum", 5),
        m(ALARMED_METRICS.requestPurchasesHeld, "Sum", 5),
        m(ALARMED_METRICS.requestErrors, "Sum", 5),
      ],
    }),
    new GraphWidget({
      title: "Notices: events forwarded, reminders, send failures",
      left: [m("NoticesSent", "Sum", 5), m("RemindersSent", "Sum", 5), m(ALARMED_METRICS.noticeSendFailures, "Sum", 5)],
    }),
    new GraphWidget({
      title: "Key rotation: rotations, reconcile repairs, failures",
      left: [m("KeyRotations", "Sum", 60), m("KeyReconcileRepairs", "Sum", 60), m(ALARMED_METRICS.keyRotationFailures, "Sum", 60)],
    }),
    new GraphWidget({
      title: "API Gateway: 5xx, 4xx and p99 latency",
      left: [opts.gatewayStage.metricServerError({ statistic: "Sum" }), opts.gatewayStage.metricClientError({ statistic: "Sum" })],
      right: [opts.gatewayStage.metricLatency({ statistic: "p99" })],
    }),
  );
  for (const w of opts.watched) {
    dashboard.addWidgets(
      new GraphWidget({
        title: `${w.name}: runs, errors, throttles`,
        left: [
          w.fn.metricInvocations({ statistic: "Sum" }),
          w.fn.metricErrors({ statistic: "Sum" }),
          w.fn.metricThrottles({ statistic: "Sum" }),
        ],
        width: 12,
      }),
      new GraphWidget({
        title: `${w.name}: duration (timeout ${timeoutOf(w.fn)} s)`,
        left: [w.fn.metricDuration({ statistic: "Maximum" }), w.fn.metricDuration({ statistic: "p50" })],
        leftAnnotations: [{ value: timeoutOf(w.fn) * 1000, label: "timeout" }],
        width: 12,
      }),
    );
  }
  return dashboard;
}
