import { describe, expect, it } from "vitest";
import { EC2_CLAIM_ACTION, EC2_DESCRIBE_ACTIONS, EC2_PURCHASE_ACTION, TICK_SCHEDULE, TICK_TIMEOUT_SECONDS } from "../jobs.js";
import { TABLE_ITEM_ACTIONS } from "../lambda.js";
import { ACCOUNT, onlyResource } from "./synth.js";
import {
  EMAIL,
  type Json,
  props,
  importFrom,
  tableName,
  linkKeyArn,
  roleStatements,
  functionMetadata,
  prod,
  variants,
  useProdAndDev,
  sstEnvironment,
  tableFunctionStatements,
} from "./templates.js";

/** The approval topic by its fixed name: no import, so the topic can be removed (stacks/notifications.ts). */
const approvalsArn = (stage: string) => ({
  "Fn::Join": ["", ["arn:", { Ref: "AWS::Partition" }, `:sns:us-east-1:${ACCOUNT}:${stage}-capacity-block-manager-approvals`]],
});

/* The Jobs stack: the tick and the capacity-request worker, their schedule, runtime, environment and IAM scope. */
useProdAndDev();

describe("Jobs", () => {
  it(`runs the tick on ${TICK_SCHEDULE}, with no EventBridge retries, stale events dropped`, () => {
    for (const v of variants()) {
      const t = v.templates.Jobs;
      const tick = onlyResource(t, "AWS::Lambda::Function", "Tick");
      const rule = onlyResource(t, "AWS::Events::Rule", "Scheduler");
      expect(props(rule)).toMatchObject({ ScheduleExpression: "rate(1 minute)", State: "ENABLED" });
      expect(props(rule).Targets).toEqual([
        {
          Arn: { "Fn::GetAtt": [tick.id, "Arn"] },
          Id: "Target0",
          RetryPolicy: { MaximumEventAgeInSeconds: 60, MaximumRetryAttempts: 0 },
        },
      ]);
      t.hasResourceProperties("AWS::Lambda::Permission", {
        Action: "lambda:InvokeFunction",
        Principal: "events.amazonaws.com",
        FunctionName: { "Fn::GetAtt": [tick.id, "Arn"] },
        SourceArn: { "Fn::GetAtt": [rule.id, "Arn"] },
      });
      // The tick's and the capacity-request worker's.
      t.resourceCountIs("AWS::Lambda::Permission", 2);
    }
  });

  it("runs the capacity-request worker on the same schedule, allowed only to buy new (tagged) blocks", () => {
    const t = prod.templates.Jobs;
    const fn = onlyResource(t, "AWS::Lambda::Function", "Requests");
    const rule = onlyResource(t, "AWS::Events::Rule", "RequestsScheduler");
    expect(props(rule)).toMatchObject({ ScheduleExpression: "rate(1 minute)", State: "ENABLED" });
    expect(props(rule).Targets).toEqual([
      { Arn: { "Fn::GetAtt": [fn.id, "Arn"] }, Id: "Target0", RetryPolicy: { MaximumEventAgeInSeconds: 60, MaximumRetryAttempts: 0 } },
    ]);
    const policy = JSON.stringify(t.findResources("AWS::IAM::Policy"));
    expect(policy).toMatch(/ec2:PurchaseCapacityBlock"/);
    expect(policy).toMatch(/"ec2:CreateAction":"PurchaseCapacityBlock"/);
  });

  it("lets the capacity-request worker read only the link key in Secrets Manager, to sign quote links", () => {
    for (const v of variants()) {
      const t = v.templates.Jobs;
      const vars = (props(onlyResource(t, "AWS::Lambda::Function", "Requests")).Environment as { Variables: Json }).Variables;
      expect(vars).toMatchObject({ LINK_KEY_SECRET_ID: linkKeyArn(v.stage), ...(v === prod ? { LINK_RECIPIENT: EMAIL } : {}) });
      if (v !== prod) expect(vars).not.toHaveProperty("LINK_RECIPIENT");
      const secrets = roleStatements(t, "RequestsRole").filter((s) => JSON.stringify(s).includes("secretsmanager"));
      expect(secrets).toEqual([{ Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: linkKeyArn(v.stage) }]);
    }
  });

  it("never retries a failed tick asynchronously (the next minute's tick does the work)", () => {
    const t = prod.templates.Jobs;
    const tick = onlyResource(t, "AWS::Lambda::Function", "Tick");
    expect(props(onlyResource(t, "AWS::Lambda::EventInvokeConfig", "Tick"))).toEqual({
      FunctionName: { Ref: tick.id },
      MaximumEventAgeInSeconds: 60,
      MaximumRetryAttempts: 0,
      Qualifier: "$LATEST",
    });
  });

  it(`runs the tick on nodejs22.x/arm64 with 512 MB, a ${TICK_TIMEOUT_SECONDS} s timeout, no reserved concurrency`, () => {
    for (const v of variants()) {
      const t = v.templates.Jobs;
      const fn = props(onlyResource(t, "AWS::Lambda::Function", "Tick"));
      expect(functionMetadata(t, "Tick")).toMatchObject({
        runtime: "nodejs22.x",
        handler: "packages/functions/src/composition/handlers/tick.handler",
      });
      expect(fn).toMatchObject({ Runtime: "nodejs22.x", Architectures: ["arm64"], MemorySize: 512, Timeout: 55 });
      expect(fn.Timeout as number).toBeLessThan(60);
      expect(fn.ReservedConcurrentExecutions).toBeUndefined();
      expect(fn.TracingConfig).toBeUndefined();
      expect(fn.LoggingConfig).toEqual({ LogGroup: { Ref: onlyResource(t, "AWS::Logs::LogGroup", "TickLogs").id } });
    }
  });

  it("tells the tick where the topic is only when there is one (no NOTIFY_TOPIC_ARN means auto-approval)", () => {
    for (const v of variants()) {
      const t = v.templates.Jobs;
      const fn = props(onlyResource(t, "AWS::Lambda::Function", "Tick"));
      const apiId = importFrom(v.stage, "Api", /RefApi\w+/);
      expect((fn.Environment as { Variables: Json }).Variables).toEqual({
        STAGE: v.stage,
        ACCOUNT_ID: ACCOUNT,
        POWERTOOLS_SERVICE_NAME: "cbm",
        TABLE_NAME: tableName(v.stage),
        API_URL: {
          "Fn::Join": ["", ["https://", apiId, ".execute-api.us-east-1.", { Ref: "AWS::URLSuffix" }, `/${v.stage}`]],
        },
        LINK_KEY_SECRET_ID: linkKeyArn(v.stage),
        ...(v === prod ? { LINK_RECIPIENT: EMAIL, NOTIFY_TOPIC_ARN: approvalsArn(v.stage) } : {}),
        ...sstEnvironment(v.stage),
      });
    }
  });

  it("allows the tick role exactly: its log group, the table, the five EC2 calls, sns:Publish on the topic if any", () => {
    for (const v of variants()) {
      const t = v.templates.Jobs;
      const logs = onlyResource(t, "AWS::Logs::LogGroup", "TickLogs");
      const expected: Json[] = [
        ...tableFunctionStatements(v.stage, logs.id),
        { Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: linkKeyArn(v.stage) },
        { Effect: "Allow", Action: EC2_DESCRIBE_ACTIONS, Resource: "*" },
        {
          Effect: "Allow",
          Action: EC2_PURCHASE_ACTION,
          Resource: { "Fn::Join": ["", ["arn:", { Ref: "AWS::Partition" }, `:ec2:*:${ACCOUNT}:capacity-reservation/*`]] },
          Condition: { StringEquals: { "aws:ResourceTag/cbm:stage": v.stage } },
        },
        {
          Effect: "Allow",
          Action: EC2_CLAIM_ACTION,
          Resource: { "Fn::Join": ["", ["arn:", { Ref: "AWS::Partition" }, `:ec2:*:${ACCOUNT}:capacity-reservation/*`]] },
          Condition: {
            StringEquals: { "aws:RequestTag/cbm:stage": v.stage },
            "ForAllValues:StringEquals": { "aws:TagKeys": ["cbm:stage"] },
            Null: { "aws:ResourceTag/cbm:stage": "true" },
          },
        },
      ];
      if (v === prod) {
        expected.push({
          Effect: "Allow",
          Action: "sns:Publish",
          Resource: approvalsArn(v.stage),
        });
      }
      expect(roleStatements(t, "TickRole")).toEqual(expected);
    }
  });

  it("grants exactly the EC2 actions CBM calls", () => {
    expect([...EC2_DESCRIBE_ACTIONS, EC2_PURCHASE_ACTION, EC2_CLAIM_ACTION].sort()).toEqual([
      "ec2:CreateTags",
      "ec2:DescribeCapacityBlockExtensionHistory",
      "ec2:DescribeCapacityBlockExtensionOfferings",
      "ec2:DescribeCapacityReservations",
      "ec2:PurchaseCapacityBlockExtension",
    ]);
    expect(TABLE_ITEM_ACTIONS).not.toContain("dynamodb:Scan");
  });
});
