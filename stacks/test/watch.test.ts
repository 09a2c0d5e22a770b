import { describe, expect, it } from "vitest";
import { DURATION_ALARM_SHARE } from "../alarm-specs.js";
import { NO_ON_FAILURE_DESTINATION } from "../async-failures.js";
import { WATCHED_FUNCTION_NAMES } from "../monitoring.js";
import { ACCOUNT, APP_NAME, onlyResource, STACK_IDS, type Synthesized } from "./synth.js";
import { type Json, props, importFrom, prod, variants, useProdAndDev } from "./templates.js";

/*
 * Whether a stage is watched: alarms that can reach someone (the alarm topic and its policy), every function's
 * errors, throttles and duration, the buying jobs' heartbeats, API Gateway's own metrics, the dashboard, and what
 * happens to an asynchronous invocation that fails.
 */
useProdAndDev();

type Resources = Record<string, { Type: string; Properties: Json }>;
const resources = (v: Synthesized, id: (typeof STACK_IDS)[number]) => v.templates[id].toJSON().Resources as Resources;

/**
 * Every function CBM deploys, by stack and logical id: SST's own per-stack custom-resource handler and CDK's
 * AwsCustomResource provider (deploy-time only, stacks/event-forwarding.ts) excluded.
 */
function cbmFunctions(v: Synthesized): { stack: string; id: string; timeout: number }[] {
  return STACK_IDS.flatMap((stack) =>
    Object.entries(resources(v, stack))
      .filter(([id, r]) => r.Type === "AWS::Lambda::Function" && !/^(CustomResourceHandler|AWS679f53fac002430cb0da5b7982bd2287)/.test(id))
      .map(([id, r]) => ({ stack, id, timeout: r.Properties.Timeout as number })),
  );
}
const alarms = (v: Synthesized) => Object.values(v.templates.Monitoring.findResources("AWS::CloudWatch::Alarm")) as { Properties: Json }[];
const alarmsOn = (v: Synthesized, fn: { stack: string; id: string }, metric: string) =>
  alarms(v).filter(
    (a) =>
      a.Properties.Namespace === "AWS/Lambda" &&
      a.Properties.MetricName === metric &&
      JSON.stringify(a.Properties.Dimensions).includes(`${v.stage}-${APP_NAME}-${fn.stack}:ExportsOutputRef${fn.id}`),
  );

describe("the alarm topic", () => {
  it("exists with or without ADMIN_EMAIL, its policy letting this account's CloudWatch alarms publish, over TLS only", () => {
    for (const v of variants()) {
      const topic = onlyResource(v.templates.Notifications, "AWS::SNS::Topic", "Alarms");
      expect(props(topic).TopicName).toBe(`${v.stage}-${APP_NAME}-alarms`);
      const statements = Object.values(v.templates.Notifications.findResources("AWS::SNS::TopicPolicy"))
        .filter((p) => JSON.stringify((p as { Properties: Json }).Properties.Topics) === JSON.stringify([{ Ref: topic.id }]))
        .flatMap((p) => ((p as { Properties: Json }).Properties.PolicyDocument as { Statement: Json[] }).Statement);
      // A topic policy replaces SNS's default one: without an Allow for CloudWatch, every alarm action fails.
      expect(statements).toContainEqual(
        expect.objectContaining({
          Effect: "Allow",
          Principal: { Service: "cloudwatch.amazonaws.com" },
          Action: "sns:Publish",
          Condition: {
            StringEquals: { "aws:SourceAccount": ACCOUNT },
            ArnLike: {
              "aws:SourceArn": { "Fn::Join": ["", ["arn:", { Ref: "AWS::Partition" }, `:cloudwatch:us-east-1:${ACCOUNT}:alarm:*`]] },
            },
          },
        }),
      );
      expect(statements).toContainEqual(
        expect.objectContaining({ Effect: "Deny", Principal: "*", Condition: { Bool: { "aws:SecureTransport": "false" } } }),
      );
    }
  });

  it("lets the approval topic go: no stack imports it, so a redeploy without ADMIN_EMAIL can delete it", () => {
    for (const v of variants()) {
      for (const id of STACK_IDS)
        expect(JSON.stringify(v.templates[id].toJSON()), id).not.toMatch(/Notifications:ExportsOutputRefApprovals/);
    }
    const exported = (v: Synthesized) =>
      Object.values(v.templates.Notifications.toJSON().Outputs as Record<string, { Export?: { Name: string } }>)
        .flatMap((o) => (o.Export ? [o.Export.Name.replace(`${v.stage}-`, "")] : []))
        .sort();
    // The exports another stack may hold on to are the same with and without the approval topic.
    expect(exported(prod)).toEqual(exported(variants()[1]!));
  });
});

describe("every function is watched", () => {
  it("lists every function of the app, so a new one cannot be deployed unwatched", () => {
    for (const v of variants()) {
      const fns = cbmFunctions(v);
      expect(fns).toHaveLength(WATCHED_FUNCTION_NAMES.length);
      for (const fn of fns) {
        expect(alarmsOn(v, fn, "Errors"), `${fn.stack}/${fn.id} errors`).toHaveLength(1);
        expect(alarmsOn(v, fn, "Throttles"), `${fn.stack}/${fn.id} throttles`).toHaveLength(1);
        const duration = alarmsOn(v, fn, "Duration");
        expect(duration, `${fn.stack}/${fn.id} duration`).toHaveLength(1);
        // Near the function's own timeout, read from the function, not repeated.
        expect(duration[0]!.Properties.Threshold).toBe(Math.round(fn.timeout * 1000 * DURATION_ALARM_SHARE));
      }
    }
  });

  it("alarms when a key rotation or reconcile fails (gateway keys out of step with the secret means 403s)", () => {
    for (const v of variants()) {
      const rotation = cbmFunctions(v).find((f) => f.id.startsWith("KeyRotation"))!;
      const [failed] = alarmsOn(v, rotation, "Errors");
      expect(failed!.Properties.AlarmName).toBe(`${v.stage}-${APP_NAME}-KeyRotationFailed`);
      expect(failed!.Properties.AlarmDescription).toMatch(/403.*Runbook: docs\/operations\.md#keyrotationfailed/);
    }
  });

  it("has a heartbeat for each scheduled job that can buy: the tick's own metric, the request worker's successful runs", () => {
    for (const v of variants()) {
      const named = (id: string) => alarms(v).find((a) => a.Properties.AlarmName === `${v.stage}-${APP_NAME}-${id}`)!.Properties;
      expect(named("TickHeartbeat")).toMatchObject({ MetricName: "TickHeartbeat", TreatMissingData: "breaching" });
      const worker = named("RequestsHeartbeat");
      expect(worker).toMatchObject({
        ComparisonOperator: "LessThanThreshold",
        Threshold: 1,
        EvaluationPeriods: 5,
        DatapointsToAlarm: 5,
        TreatMissingData: "breaching",
      });
      const queries = worker.Metrics as Json[];
      expect(queries.find((q) => q.ReturnData !== false)).toMatchObject({ Expression: "invocations - FILL(errors, 0)" });
      const requests = importFrom(v.stage, "Jobs", /RefRequests\w+/);
      for (const [id, name] of [
        ["invocations", "Invocations"],
        ["errors", "Errors"],
      ]) {
        expect(queries.find((q) => q.Id === id)).toMatchObject({
          MetricStat: {
            Metric: { Namespace: "AWS/Lambda", MetricName: name, Dimensions: [{ Name: "FunctionName", Value: requests }] },
            Period: 60,
          },
        });
      }
    }
  });

  it("watches API Gateway's own 5XXError and p99 Latency on the stage (502/504 that no handler wrote)", () => {
    for (const v of variants()) {
      const gateway = alarms(v).filter((a) => a.Properties.Namespace === "AWS/ApiGateway");
      const byMetric = Object.fromEntries(gateway.map((a) => [a.Properties.MetricName, a.Properties]));
      expect(Object.keys(byMetric).sort()).toEqual(["5XXError", "Latency"]);
      expect(byMetric["5XXError"]).toMatchObject({ Statistic: "Sum", Threshold: 5, ComparisonOperator: "GreaterThanOrEqualToThreshold" });
      expect(byMetric.Latency).toMatchObject({ ExtendedStatistic: "p99", Threshold: 5000, EvaluationPeriods: 3 });
      for (const a of gateway) {
        expect(a.Properties.Dimensions).toEqual([
          { Name: "ApiName", Value: `${v.stage}-${APP_NAME}-Api` },
          { Name: "Stage", Value: importFrom(v.stage, "Api", /RefApiDeploymentStage\w+/) },
        ]);
      }
    }
  });

  it("has one dashboard per stage that shows every function", () => {
    for (const v of variants()) {
      const dashboard = props(onlyResource(v.templates.Monitoring, "AWS::CloudWatch::Dashboard"));
      expect(dashboard.DashboardName).toBe(`${v.stage}-${APP_NAME}-dashboard`);
      const body = JSON.stringify(dashboard.DashboardBody);
      for (const fn of cbmFunctions(v)) expect(body, fn.id).toContain(`ExportsOutputRef${fn.id}`);
      for (const name of WATCHED_FUNCTION_NAMES) expect(body).toContain(`${name}: runs, errors, throttles`);
    }
  });
});

describe("asynchronous invocations that fail", () => {
  it("go to an on-failure destination, or the function's reason for having none is written down", () => {
    for (const v of variants()) {
      for (const stack of STACK_IDS) {
        const all = Object.entries(resources(v, stack));
        // Every function an EventBridge rule invokes (asynchronously), by logical id.
        const targets = new Set(
          all
            .filter(([, r]) => r.Type === "AWS::Events::Rule")
            .flatMap(([, r]) =>
              ((r.Properties.Targets as Json[] | undefined) ?? []).map((t) => (t.Arn as { "Fn::GetAtt": [string] })["Fn::GetAtt"][0]),
            ),
        );
        for (const fn of targets) {
          const config = all.find(
            ([, r]) =>
              r.Type === "AWS::Lambda::EventInvokeConfig" && JSON.stringify(r.Properties.FunctionName) === JSON.stringify({ Ref: fn }),
          );
          // Lambda's defaults (2 retries over up to 6 hours, then dropped) are never what CBM wants: each says its own.
          expect(config, `${stack}/${fn} has no EventInvokeConfig`).toBeDefined();
          const reason = Object.keys(NO_ON_FAILURE_DESTINATION).find((name) => fn.startsWith(name));
          const destination = (config![1].Properties.DestinationConfig as Json | undefined)?.OnFailure;
          if (reason) expect(destination, fn).toBeUndefined();
          else expect(destination, `${stack}/${fn}`).toBeDefined();
        }
      }
    }
  });

  it("retries a failed notice twice within the hour, then sends it to the alarm topic", () => {
    for (const v of variants()) {
      const config = props(onlyResource(v.templates.Notices, "AWS::Lambda::EventInvokeConfig"));
      expect(config).toMatchObject({
        MaximumRetryAttempts: 2,
        MaximumEventAgeInSeconds: 3600,
        DestinationConfig: { OnFailure: { Destination: importFrom(v.stage, "Notifications", /RefAlarms\w+/) } },
      });
    }
  });
});
