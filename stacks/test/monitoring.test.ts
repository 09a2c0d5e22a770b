import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { METRICS_NAMESPACE as EMITTED_NAMESPACE, createMetrics, recordTickMetrics } from "@cbm/functions/contracts";
import { emptyTickReport } from "@cbm/core";
import { ALARMS, METRICS_NAMESPACE } from "../monitoring.js";
import { APP_NAME, onlyResource, cleanUp, type Synthesized } from "./synth.js";
import { type Json, props, importFrom, synthesizeProdAndDev } from "./templates.js";

/* The Monitoring stack: the alarms, what they read and whom they notify. */
let prod: Synthesized;
let dev: Synthesized;
beforeAll(async () => {
  ({ prod, dev } = await synthesizeProdAndDev());
});
afterAll(cleanUp);
const variants = () => [prod, dev];

describe("Monitoring", () => {
  const alarms = (v: Synthesized) => v.templates.Monitoring.findResources("AWS::CloudWatch::Alarm") as Record<string, { Properties: Json }>;
  const alarm = (v: Synthesized, id: string) => props(onlyResource(v.templates.Monitoring, "AWS::CloudWatch::Alarm", id));
  const topicArn = (stage: string) => importFrom(stage, "Notifications", /RefApprovals\w+/);

  it("has exactly the six alarms, named <stage>-capacity-block-manager-<Alarm>, each with a runbook link", () => {
    for (const v of variants()) {
      const names = Object.values(alarms(v))
        .map((a) => a.Properties.AlarmName)
        .sort();
      expect(names).toEqual(
        Object.values(ALARMS)
          .map((a) => `${v.stage}-${APP_NAME}-${a.id}`)
          .sort(),
      );
      for (const a of Object.values(alarms(v))) expect(a.Properties.AlarmDescription).toMatch(/Runbook: README\.md#/);
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
      expect(alarm(v, "TickFunctionErrors")).toMatchObject({
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

  it("blocks at risk: BlocksAtRisk Maximum >= 1 over 10 minutes", () => {
    for (const v of variants()) {
      expect(alarm(v, "BlocksAtRisk")).toMatchObject({
        Namespace: "CapacityBlockManager",
        MetricName: "BlocksAtRisk",
        Dimensions: [{ Name: "stage", Value: v.stage }],
        Statistic: "Maximum",
        Period: 600,
        EvaluationPeriods: 1,
        Threshold: 1,
        ComparisonOperator: "GreaterThanOrEqualToThreshold",
        TreatMissingData: "ignore",
      });
    }
  });

  it("payment failed: PaymentFailed Sum >= 1 in 5 minutes", () => {
    for (const v of variants()) {
      expect(alarm(v, "PaymentFailed")).toMatchObject({
        Namespace: "CapacityBlockManager",
        MetricName: "PaymentFailed",
        Dimensions: [{ Name: "stage", Value: v.stage }],
        Statistic: "Sum",
        Period: 300,
        EvaluationPeriods: 1,
        Threshold: 1,
        ComparisonOperator: "GreaterThanOrEqualToThreshold",
        TreatMissingData: "notBreaching",
      });
    }
  });

  it("API server errors: ApiErrors with class 5xx, Sum >= 5 in 5 minutes", () => {
    for (const v of variants()) {
      expect(alarm(v, "ApiServerErrors")).toMatchObject({
        Namespace: "CapacityBlockManager",
        MetricName: "ApiErrors",
        Statistic: "Sum",
        Period: 300,
        EvaluationPeriods: 1,
        Threshold: 5,
        ComparisonOperator: "GreaterThanOrEqualToThreshold",
        TreatMissingData: "notBreaching",
      });
      expect(alarm(v, "ApiServerErrors").Dimensions).toEqual(
        expect.arrayContaining([
          { Name: "stage", Value: v.stage },
          { Name: "class", Value: "5xx" },
        ]),
      );
      expect(alarm(v, "ApiServerErrors").Dimensions).toHaveLength(2);
    }
  });

  it("EC2 errors: Ec2Errors Sum >= 5 in 5 minutes", () => {
    for (const v of variants()) {
      expect(alarm(v, "Ec2Errors")).toMatchObject({
        Namespace: "CapacityBlockManager",
        MetricName: "Ec2Errors",
        Dimensions: [{ Name: "stage", Value: v.stage }],
        Statistic: "Sum",
        Period: 300,
        EvaluationPeriods: 1,
        Threshold: 5,
        ComparisonOperator: "GreaterThanOrEqualToThreshold",
        TreatMissingData: "notBreaching",
      });
    }
  });

  it("with ADMIN_EMAIL every alarm notifies the topic, and its recovery except the one-shot PaymentFailed", () => {
    for (const [id, a] of Object.entries(alarms(prod))) {
      expect(a.Properties.AlarmActions, id).toEqual([topicArn("prod")]);
      if (id.startsWith("PaymentFailed")) expect(a.Properties.OKActions, id).toBeUndefined();
      else expect(a.Properties.OKActions, id).toEqual([topicArn("prod")]);
    }
  });

  it("without ADMIN_EMAIL no alarm has any action", () => {
    for (const [id, a] of Object.entries(alarms(dev))) {
      expect(a.Properties.AlarmActions, id).toBeUndefined();
      expect(a.Properties.OKActions, id).toBeUndefined();
      expect(a.Properties.InsufficientDataActions, id).toBeUndefined();
    }
  });

  it("reads what the handlers write: the same namespace, and the tick emits every metric the alarms read", () => {
    expect(METRICS_NAMESPACE).toBe(EMITTED_NAMESPACE);
    const metrics = createMetrics();
    recordTickMetrics(metrics, { ...emptyTickReport(), blocksAtRisk: 0, durationMs: 1 });
    const emitted = new Set(metrics.flush().map((d) => d.name));
    for (const name of ["TickHeartbeat", "BlocksAtRisk", "PaymentFailed", "Ec2Errors"]) expect(emitted.has(name), name).toBe(true);
  });

  it("keeps the topic without KMS, so CloudWatch alarms can publish to it", () => {
    const topic = props(onlyResource(prod.templates.Notifications, "AWS::SNS::Topic"));
    expect(topic.KmsMasterKeyId).toBeUndefined();
  });
});
