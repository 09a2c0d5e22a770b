import { type Template } from "aws-cdk-lib/assertions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// The contract the functions read; the stack must write the same.
import {
  API_KEY_CACHE_TTL_MS,
  API_KEY_MEMBER as READ_MEMBER,
  API_KEY_USERNAME,
  parseRotationEvent,
  ROTATION_GRACE_MS,
} from "@cbm/functions/contracts";
import { API_ROUTES, WEB_GATEWAY_ROUTES } from "../api.js";
import { PLANNING_ROUTES } from "../planning.js";
import { EC2_CLAIM_ACTION, EC2_PURCHASE_ACTION } from "../jobs.js";
import { API_KEY_MEMBER, API_KEY_TEMPLATE, KEY_RECONCILE_EVENT, KEY_RECONCILE_SCHEDULE } from "../secrets.js";
import { WAF_RATE_LIMIT_PER_IP } from "../waf.js";
import { ACCOUNT, APP_NAME, cleanUp, nagFindings, onlyResource, synthesize, type Synthesized } from "./synth.js";
import { type Json, props } from "./templates.js";

/*
 * Who may call what, as deployed: the API key secret and its rotation, API Gateway's key requirement and WAF, and the
 * scope of the tick's purchase permission. A protected stage as deployed by default, and a disposable one that names
 * its regions (CBM_REGIONS).
 */
let prod: Synthesized;
let regional: Synthesized;
beforeAll(async () => {
  prod = await synthesize({ stage: "prod", adminEmail: "ops@example.com" });
  regional = await synthesize({ stage: "dev", regions: "us-west-2, us-east-1" });
});
afterAll(cleanUp);
const variants = () => [prod, regional];

const usagePlanImport = (stage: string) => ({
  "Fn::ImportValue": expect.stringMatching(new RegExp(`^${stage}-${APP_NAME}-Api:ExportsOutputRefApiUsagePlan`)),
});
/** `arn:<partition>:apigateway:us-east-1::<path…>` as CloudFormation joins it. */
const apigw = (path: string, ...rest: unknown[]) => ({
  "Fn::Join": ["", ["arn:", { Ref: "AWS::Partition" }, `:apigateway:us-east-1::${path}`, ...rest]],
});

/** The statements of the one policy attached to the role whose logical id starts with `rolePrefix`. */
function roleStatements(t: Template, rolePrefix: string): Json[] {
  const role = onlyResource(t, "AWS::IAM::Role", rolePrefix);
  const policy = Object.values(t.findResources("AWS::IAM::Policy")).find((p) =>
    JSON.stringify((p as Json).Properties).includes(`{"Ref":"${role.id}"}`),
  );
  return (policy as { Properties: { PolicyDocument: { Statement: Json[] } } }).Properties.PolicyDocument.Statement;
}

describe("the API key secret", () => {
  it("is the first release's JSON, {username: web_user, api_key: <40 alphanumerics>}, named /cbm/<stage>/apiSecretName", () => {
    expect(API_KEY_TEMPLATE.username).toBe(API_KEY_USERNAME);
    expect(API_KEY_MEMBER).toBe(READ_MEMBER);
    for (const v of variants()) {
      const secret = props(onlyResource(v.templates.Secrets, "AWS::SecretsManager::Secret"));
      expect(secret.Name).toBe(`/cbm/${v.stage}/apiSecretName`);
      expect(secret.GenerateSecretString).toEqual({
        SecretStringTemplate: '{"username":"web_user"}',
        GenerateStringKey: "api_key",
        ExcludePunctuation: true,
        PasswordLength: 40,
      });
      expect(secret.KmsKeyId).toBeUndefined();
    }
  });

  it("rotates every 30 days through the rotation function, without rotating at deploy", () => {
    for (const v of variants()) {
      const t = v.templates.Secrets;
      const secret = onlyResource(t, "AWS::SecretsManager::Secret");
      const fn = onlyResource(t, "AWS::Lambda::Function", "KeyRotation");
      const schedule = onlyResource(t, "AWS::SecretsManager::RotationSchedule");
      expect(props(schedule)).toEqual({
        SecretId: { Ref: secret.id },
        RotationLambdaARN: { "Fn::GetAtt": [fn.id, "Arn"] },
        RotationRules: { AutomaticallyAfterDays: 30 },
        RotateImmediatelyOnUpdate: false,
      });
      // Setting the schedule invokes testSecret at once: the invoke permission and the role's policy must exist.
      const invoke = onlyResource(t, "AWS::Lambda::Permission", "KeyRotationInvoke");
      const policy = onlyResource(t, "AWS::IAM::Policy", "KeyRotationRole");
      expect(schedule.resource.DependsOn).toEqual(expect.arrayContaining([invoke.id, policy.id]));
      expect(props(invoke)).toEqual({
        Action: "lambda:InvokeFunction",
        FunctionName: { "Fn::GetAtt": [fn.id, "Arn"] },
        Principal: "secretsmanager.amazonaws.com",
        SourceAccount: ACCOUNT,
      });
    }
  });

  it("reconciles API Gateway's keys every 5 minutes with an event the function reads as the reconcile", () => {
    const t = prod.templates.Secrets;
    const fn = onlyResource(t, "AWS::Lambda::Function", "KeyRotation");
    const rule = props(onlyResource(t, "AWS::Events::Rule", "KeyReconcile"));
    expect(rule).toMatchObject({ ScheduleExpression: KEY_RECONCILE_SCHEDULE, State: "ENABLED" });
    expect(rule.Targets).toEqual([
      {
        Arn: { "Fn::GetAtt": [fn.id, "Arn"] },
        Id: "Target0",
        Input: JSON.stringify(KEY_RECONCILE_EVENT),
        RetryPolicy: { MaximumEventAgeInSeconds: 300, MaximumRetryAttempts: 0 },
      },
    ]);
    const input = (rule.Targets as { Input: string }[])[0]!.Input;
    expect(parseRotationEvent(JSON.parse(input))).toEqual({ kind: "reconcile" });
    // A superseded key outlives every API container's cached copy of it.
    expect(ROTATION_GRACE_MS).toBeGreaterThan(API_KEY_CACHE_TTL_MS);
  });

  it("runs the rotation function on nodejs22.x/arm64, 256 MB, 30 s, told the secret, the usage plan, its key-name prefix", () => {
    for (const v of variants()) {
      const t = v.templates.Secrets;
      const fn = props(onlyResource(t, "AWS::Lambda::Function", "KeyRotation"));
      expect(fn).toMatchObject({ Runtime: "nodejs22.x", Architectures: ["arm64"], MemorySize: 256, Timeout: 30 });
      expect((fn.Environment as { Variables: Json }).Variables).toMatchObject({
        API_KEY_SECRET_ID: { Ref: onlyResource(t, "AWS::SecretsManager::Secret").id },
        USAGE_PLAN_ID: usagePlanImport(v.stage),
        API_KEY_NAME_PREFIX: `${v.stage}-${APP_NAME}-api-key-`,
      });
    }
  });

  it("allows the rotation role exactly: its logs, the secret's rotation calls, and this plan's keys", () => {
    const t = prod.templates.Secrets;
    const secret = onlyResource(t, "AWS::SecretsManager::Secret");
    const planKeys = apigw("/usageplans/", usagePlanImport("prod"), "/keys");
    expect(roleStatements(t, "KeyRotationRole")).toEqual([
      {
        Effect: "Allow",
        Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
        Resource: { "Fn::GetAtt": [onlyResource(t, "AWS::Logs::LogGroup", "KeyRotationLogs").id, "Arn"] },
      },
      {
        Effect: "Allow",
        Action: [
          "secretsmanager:DescribeSecret",
          "secretsmanager:GetSecretValue",
          "secretsmanager:PutSecretValue",
          "secretsmanager:UpdateSecretVersionStage",
        ],
        Resource: { Ref: secret.id },
      },
      { Effect: "Allow", Action: "apigateway:GET", Resource: [planKeys, apigw("/apikeys")] },
      { Effect: "Allow", Action: "apigateway:POST", Resource: [apigw("/apikeys"), planKeys] },
      // Only keys it created for this stage: the adapter tags them, the condition checks the tag.
      {
        Effect: "Allow",
        Action: "apigateway:DELETE",
        Resource: apigw("/apikeys/*"),
        Condition: { StringEquals: { "aws:ResourceTag/cbm:stage": "prod" } },
      },
    ]);
    expect(JSON.stringify(roleStatements(t, "KeyRotationRole"))).not.toMatch(/GetRandomPassword|"\*"/);
  });
});

describe("API Gateway in front of the function", () => {
  it("requires the API key (x-api-key header) on every JSON method, on none of the browser pages'", () => {
    for (const v of variants()) {
      const t = v.templates.Api;
      expect(props(onlyResource(t, "AWS::ApiGateway::RestApi")).ApiKeySourceType).toBe("HEADER");
      const web = onlyResource(t, "AWS::Lambda::Function", "WebHandler").id;
      const methods = Object.values(t.findResources("AWS::ApiGateway::Method") as Record<string, { Properties: Json }>);
      expect(methods).toHaveLength(API_ROUTES.length + WEB_GATEWAY_ROUTES.length + PLANNING_ROUTES.length);
      for (const m of methods) {
        // Browsers carry no key: the web function checks a signed link token or a console session instead.
        const toWeb = JSON.stringify(m.Properties.Integration).includes(`"${web}"`);
        expect(m.Properties.ApiKeyRequired, `${m.Properties.HttpMethod as string}`).toBe(!toWeb);
      }
      expect(methods.filter((m) => m.Properties.ApiKeyRequired === false)).toHaveLength(WEB_GATEWAY_ROUTES.length);
    }
  });

  it("has a WAF web ACL on the stage: a per-IP rate limit answering 429, then AWS's common rule set", () => {
    for (const v of variants()) {
      const t = v.templates.Api;
      const acl = onlyResource(t, "AWS::WAFv2::WebACL");
      const rules = props(acl).Rules as Json[];
      expect(props(acl)).toMatchObject({ Scope: "REGIONAL", DefaultAction: { Allow: {} } });
      expect(rules[0]).toMatchObject({
        Priority: 0,
        Action: { Block: { CustomResponse: { ResponseCode: 429 } } },
        Statement: { RateBasedStatement: { AggregateKeyType: "IP", Limit: WAF_RATE_LIMIT_PER_IP, EvaluationWindowSec: 300 } },
      });
      expect(rules[1]).toMatchObject({
        Priority: 1,
        OverrideAction: { None: {} },
        Statement: {
          ManagedRuleGroupStatement: {
            VendorName: "AWS",
            Name: "AWSManagedRulesCommonRuleSet",
            RuleActionOverrides: [{ Name: "SizeRestrictions_BODY", ActionToUse: { Count: {} } }],
          },
        },
      });
      expect(rules).toHaveLength(2);
      const api = onlyResource(t, "AWS::ApiGateway::RestApi");
      const stage = onlyResource(t, "AWS::ApiGateway::Stage");
      expect(props(onlyResource(t, "AWS::WAFv2::WebACLAssociation"))).toEqual({
        ResourceArn: apigw("/restapis/", { Ref: api.id }, "/stages/", { Ref: stage.id }),
        WebACLArn: { "Fn::GetAtt": [acl.id, "Arn"] },
      });
    }
  });
});

describe("what the tick may buy", () => {
  const purchase = (v: Synthesized) => roleStatements(v.templates.Jobs, "TickRole").find((s) => s.Action === EC2_PURCHASE_ACTION)!;
  const reservations = (region: string) => ({
    "Fn::Join": ["", ["arn:", { Ref: "AWS::Partition" }, `:ec2:${region}:${ACCOUNT}:capacity-reservation/*`]],
  });

  it("extends only this account's capacity reservations tagged for this stage, in any region when none are named", () => {
    expect(purchase(prod)).toEqual({
      Effect: "Allow",
      Action: EC2_PURCHASE_ACTION,
      Resource: reservations("*"),
      // A personal stage that registers a production block cannot buy for it.
      Condition: { StringEquals: { "aws:ResourceTag/cbm:stage": "prod" } },
    });
  });

  it("with CBM_REGIONS, only in those regions: in the ARN, as aws:RequestedRegion too", () => {
    expect(purchase(regional)).toEqual({
      Effect: "Allow",
      Action: EC2_PURCHASE_ACTION,
      Resource: [reservations("us-east-1"), reservations("us-west-2")],
      Condition: { StringEquals: { "aws:ResourceTag/cbm:stage": "dev", "aws:RequestedRegion": ["us-east-1", "us-west-2"] } },
    });
  });
});

describe("what the tick may tag (claiming a hand-registered block for its stage)", () => {
  const claim = (v: Synthesized) =>
    roleStatements(v.templates.Jobs, "TickRole").filter((s) => JSON.stringify(s.Action).includes("ec2:CreateTags"));
  const reservations = (region: string) => ({
    "Fn::Join": ["", ["arn:", { Ref: "AWS::Partition" }, `:ec2:${region}:${ACCOUNT}:capacity-reservation/*`]],
  });

  it("tags only this account's untagged reservations, only with cbm:stage=<its stage> and no other key", () => {
    expect(claim(prod)).toEqual([
      {
        Effect: "Allow",
        Action: EC2_CLAIM_ACTION,
        Resource: reservations("*"),
        Condition: {
          StringEquals: { "aws:RequestTag/cbm:stage": "prod" },
          "ForAllValues:StringEquals": { "aws:TagKeys": ["cbm:stage"] },
          // Only where no stage tag exists yet: a stage can never re-tag another stage's block and then buy for it.
          Null: { "aws:ResourceTag/cbm:stage": "true" },
        },
      },
    ]);
  });

  it("with CBM_REGIONS, tags only in those regions, as it buys", () => {
    expect(claim(regional)).toEqual([
      {
        Effect: "Allow",
        Action: EC2_CLAIM_ACTION,
        Resource: [reservations("us-east-1"), reservations("us-west-2")],
        Condition: {
          StringEquals: { "aws:RequestTag/cbm:stage": "dev", "aws:RequestedRegion": ["us-east-1", "us-west-2"] },
          "ForAllValues:StringEquals": { "aws:TagKeys": ["cbm:stage"] },
          Null: { "aws:ResourceTag/cbm:stage": "true" },
        },
      },
    ]);
  });

  it("still extends only reservations tagged for its stage: the claim adds no purchase right", () => {
    const purchases = roleStatements(prod.templates.Jobs, "TickRole").filter((s) => JSON.stringify(s.Action).includes("ec2:Purchase"));
    expect(purchases.map((s) => s.Condition)).toEqual([{ StringEquals: { "aws:ResourceTag/cbm:stage": "prod" } }]);
  });
});

describe("what the request worker may buy", () => {
  const ec2Writes = (v: Synthesized) =>
    roleStatements(v.templates.Jobs, "RequestsRole").filter((s) => /ec2:(Purchase|CreateTags)/.test(JSON.stringify(s.Action)));
  const reservations = (region: string) => ({
    "Fn::Join": ["", ["arn:", { Ref: "AWS::Partition" }, `:ec2:${region}:${ACCOUNT}:capacity-reservation/*`]],
  });

  it("buys new blocks only tagged for its stage, tagging only as part of that purchase", () => {
    expect(ec2Writes(prod)).toEqual([
      {
        Effect: "Allow",
        Action: "ec2:PurchaseCapacityBlock",
        Resource: reservations("*"),
        Condition: { StringEquals: { "aws:RequestTag/cbm:stage": "prod" } },
      },
      {
        Effect: "Allow",
        Action: "ec2:CreateTags",
        Resource: reservations("*"),
        Condition: { StringEquals: { "ec2:CreateAction": "PurchaseCapacityBlock", "aws:RequestTag/cbm:stage": "prod" } },
      },
    ]);
  });

  it("with CBM_REGIONS, buys only in those regions, as the tick does", () => {
    for (const s of ec2Writes(regional)) {
      expect(s.Resource).toEqual([reservations("us-east-1"), reservations("us-west-2")]);
      expect((s.Condition as { StringEquals: Json }).StringEquals).toMatchObject({
        "aws:RequestTag/cbm:stage": "dev",
        "aws:RequestedRegion": ["us-east-1", "us-west-2"],
      });
    }
  });
});

describe("Capacity Block events from every region CBM may buy in", () => {
  it("forwards them from each other region in CBM_REGIONS to the deploy region's default bus", () => {
    const t = regional.templates.Notices;
    const calls = Object.values(t.findResources("Custom::AWS") as Record<string, { Properties: Json }>).map(
      (r) => JSON.parse(JSON.stringify(r.Properties.Create ?? r.Properties.Update)) as unknown,
    );
    const text = JSON.stringify(calls);
    // us-east-1 is the deploy region: its events arrive on its own bus. Only us-west-2 forwards.
    expect(text).toContain('\\"region\\":\\"us-west-2\\"');
    expect(text).not.toContain('\\"region\\":\\"us-east-1\\"');
    expect(text).toMatch(/PutRule.*dev-capacity-block-manager-forward-capacity-blocks/);
    expect(text).toMatch(/PutTargets/);
    expect(text).toContain(`:events:us-east-1:${ACCOUNT}:event-bus/default`);
    const role = onlyResource(t, "AWS::IAM::Role", "ForwardCapacityBlockEventsRole");
    expect(props(role).AssumeRolePolicyDocument).toMatchObject({ Statement: [{ Principal: { Service: "events.amazonaws.com" } }] });
    expect(nagFindings(regional.stacks.Notices, "error")).toEqual([]);
  });

  it("forwards nothing without CBM_REGIONS (a block's events come from wherever it is; the reminders cover every block)", () => {
    prod.templates.Notices.resourceCountIs("Custom::AWS", 0);
  });
});
