import { describe, expect, it } from "vitest";
import { createMetrics, recordKeyRotation, recordNotices, recordRequestRun, recordTickMetrics } from "@cbm/functions/contracts";
import { emptyTickReport } from "@cbm/core";
import { ALARMS } from "../monitoring.js";
import { GATEWAY_ALARMS } from "../alarm-specs.js";
import { APP_NAME, onlyResource, type Synthesized } from "./synth.js";
import { type Json, props, importFrom, prod, variants, useProdAndDev } from "./templates.js";

/* The Monitoring stack: the alarms on CBM's own metrics, what they read and whom they notify (stacks/test/watch.test.ts: every function). */
useProdAndDev();

describe("Monitoring", () => {
  const alarms = (v: Synthesized) => v.templates.Monitoring.findResources("AWS::CloudWatch::Alarm") as Record<string, { Properties: Json }>;
  const alarm = (v: Synthesized, id: string) => props(onlyResource(v.templates.Monitoring, "AWS::CloudWatch::Alarm", id));
  const topicArn = (stage: string) => importFrom(stage, "Notifications", /RefAlarms\w+/);

  it("names every alarm <stage>-capacity-block-manager-<Alarm>, each with a runbook link into docs/operations.md", () => {
    for (const v of variants()) {
      const names = Object.values(alarms(v)).map((a) => a.Properties.AlarmName);
      for (const a of [...Object.values(ALARMS), ...Object.values(GATEWAY_ALARMS)])
        expect(names).toContain(`${v.stage}-${APP_NAME}-${a.id}`);
      for (const a of Object.values(alarms(v))) expect(a.Properties.AlarmDescription).toMatch(/Runbook: docs\/operations\.md#[a-z0-9-]+$/);
    }
  });

  it("dead-man's switch: TickHeartbeat Sum < 1 in each of 5 consecutive 1-minute periods, missing data breaching", () => {
    for (const v of variants()) {
      expect(alarm(v, "TickHeartbeat")).toMatchObject({
        Namespace: "CapacityBlockManager",
        MetricName: "TickHeartbeat",
        Dimensions: [{ Name: "stage", Value: v.stage }],
        Statistic: "Sum",
        Period: 60,
        EvaluationPeriods: 5,
        DatapointsToAlarm: 5,
        Threshold: 1,
        ComparisonOperator: "LessThanThreshold",
        TreatMissingData: "breaching",
      });
    }
  });

  it("tick function errors: the tick Lambda's Errors Sum > 0 in 5 minutes", () => {
    for (const v of variants()) {
      expect(alarm(v, "TickErrors")).toMatchObject({
        Namespace: "AWS/Lambda",
        MetricName: "Errors",
        Dimensions: [{ Name: "FunctionName", Value: importFrom(v.stage, "Jobs", /RefTick\w+/) }],
        Statistic: "Sum",
        Period: 300,
        EvaluationPeriods: 1,
        Threshold: 0,
        ComparisonOperator: "GreaterThanThreshold",
        TreatMissingData: "notBreaching",
      });
    }
  });

  /** The alarms on CBM's own metrics: the stage's dimension (and the 5xx class), fired at or above a threshold. */
  const OWN_METRIC_ALARMS = [
    {
      what: "blocks at risk: BlocksAtRisk Maximum >= 1 over 10 minutes",
      id: "BlocksAtRisk",
      metric: "BlocksAtRisk",
      statistic: "Maximum",
      period: 600,
      threshold: 1,
      missing: "ignore",
    },
    {
      what: "payment failed: PaymentFailed Sum >= 1 in 5 minutes",
      id: "PaymentFailed",
      metric: "PaymentFailed",
      statistic: "Sum",
      period: 300,
      threshold: 1,
      missing: "notBreaching",
    },
    {
      what: "API server errors: ApiErrors of class 5xx, Sum >= 5 in 5 minutes",
      id: "ApiServerErrors",
      metric: "ApiErrors",
      statistic: "Sum",
      period: 300,
      threshold: 5,
      missing: "notBreaching",
      class: "5xx",
    },
    {
      what: "EC2 errors: Ec2Errors Sum >= 5 in 5 minutes",
      id: "Ec2Errors",
      metric: "Ec2Errors",
      statistic: "Sum",
      period: 300,
      threshold: 5,
      missing: "notBreaching",
    },
    {
      what: "request worker errors: RequestErrors Sum >= 3 in 5 minutes",
      id: "RequestErrors",
      metric: "RequestErrors",
      statistic: "Sum",
      period: 300,
      threshold: 3,
      missing: "notBreaching",
    },
    {
      what: "ambiguous request purchases: RequestPurchasesHeld Sum >= 1 in 5 minutes",
      id: "RequestPurchaseHeld",
      metric: "RequestPurchasesHeld",
      statistic: "Sum",
      period: 300,
      threshold: 1,
      missing: "notBreaching",
    },
    {
      what: "notice send failures: NoticeSendFailures Sum >= 1 in 5 minutes",
      id: "NoticeSendFailures",
      metric: "NoticeSendFailures",
      statistic: "Sum",
      period: 300,
      threshold: 1,
      missing: "notBreaching",
    },
  ];

  it.each(OWN_METRIC_ALARMS)("$what", (a) => {
    for (const v of variants()) {
      const found = alarm(v, a.id);
      expect(found).toMatchObject({
        Namespace: "CapacityBlockManager",
        MetricName: a.metric,
        Statistic: a.statistic,
        Period: a.period,
        EvaluationPeriods: 1,
        Threshold: a.threshold,
        ComparisonOperator: "GreaterThanOrEqualToThreshold",
        TreatMissingData: a.missing,
      });
      const dimensions = [{ Name: "stage", Value: v.stage }, ...(a.class ? [{ Name: "class", Value: a.class }] : [])];
      expect(found.Dimensions).toEqual(expect.arrayContaining(dimensions));
      expect(found.Dimensions).toHaveLength(dimensions.length);
    }
  });

  it("with or without ADMIN_EMAIL, every alarm notifies the alarm topic, of its recovery too except the one-shot PaymentFailed and RequestPurchaseHeld", () => {
    for (const v of variants()) {
      for (const [id, a] of Object.entries(alarms(v))) {
        expect(a.Properties.AlarmActions, id).toEqual([topicArn(v.stage)]);
        if (id.startsWith("PaymentFailed") || id.startsWith("RequestPurchaseHeld")) expect(a.Properties.OKActions, id).toBeUndefined();
        else expect(a.Properties.OKActions, id).toEqual([topicArn(v.stage)]);
      }
    }
  });

  it("alarms only on series a finished tick, request run, notices run or rotation writes, in the namespace they write to", () => {
    const lines: string[] = [];
    const metrics = createMetrics({ sink: { write: (line) => lines.push(line) }, defaults: { stage: prod.stage } });
    recordTickMetrics(metrics, { ...emptyTickReport(), blocksAtRisk: 0, durationMs: 1 });
    recordRequestRun(metrics, { processed: 0, purchases: 0, held: 0, errors: 0 });
    recordNotices(metrics, { notices: 0, reminders: 0, failures: 0 });
    recordKeyRotation(metrics, { rotations: 0, repairs: 0, failures: 0 });
    metrics.flush();
    const written = new Set(
      lines.flatMap((line) => {
        const doc = JSON.parse(line) as { _aws: { CloudWatchMetrics: { Namespace: string; Metrics: { Name: string }[] }[] } };
        return doc._aws.CloudWatchMetrics.flatMap((m) => m.Metrics.map((x) => `${m.Namespace}/${x.Name}`));
      }),
    );
    // ApiErrors is written by the API's access log (packages/functions/test/observability-api.test.ts), not the tick.
    const cbmAlarms = Object.values(alarms(prod))
      .map((a) => a.Properties)
      .filter((p) => typeof p.Namespace === "string" && !p.Namespace.startsWith("AWS/") && p.MetricName !== "ApiErrors");
    expect(cbmAlarms.length).toBeGreaterThanOrEqual(7);
    for (const p of cbmAlarms) expect(written, `${p.Namespace}/${p.MetricName}`).toContain(`${p.Namespace}/${p.MetricName}`);
  });

  it("graphs what the request worker, the notices and the key rotation write on the stage's dashboard", () => {
    for (const v of variants()) {
      // The body is a Fn::Join of text and references; the metrics are in its text.
      const join = props(onlyResource(v.templates.Monitoring, "AWS::CloudWatch::Dashboard")).DashboardBody as {
        "Fn::Join": [string, unknown[]];
      };
      const body = join["Fn::Join"][1].filter((part) => typeof part === "string").join("");
      for (const name of [
        "RequestsProcessed",
        "RequestPurchases",
        "RequestPurchasesHeld",
        "RequestErrors",
        "NoticesSent",
        "RemindersSent",
        "NoticeSendFailures",
        "KeyRotations",
        "KeyReconcileRepairs",
        "KeyRotationFailures",
      ])
        expect(body, name).toContain(`["CapacityBlockManager","${name}","stage","${v.stage}"`);
    }
  });

  it("keeps the alarm topic without KMS, so CloudWatch alarms can publish to it", () => {
    for (const v of variants()) {
      const topic = props(onlyResource(v.templates.Notifications, "AWS::SNS::Topic", "Alarms"));
      expect(topic.KmsMasterKeyId).toBeUndefined();
    }
  });
});
