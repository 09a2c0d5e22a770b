import { describe, expect, it } from "vitest";
import { API_ROUTES, WEB_GATEWAY_ROUTES, WEB_ROUTES } from "../api.js";
import { PLANNING_ROUTES } from "../planning.js";
import { ACCOUNT, onlyResource } from "./synth.js";
import {
  type Json,
  props,
  tableName,
  secretArnByName,
  logGroupArn,
  linkKeyArn,
  roleStatements,
  functionMetadata,
  resourcePaths,
  prod,
  dev,
  variants,
  useProdAndDev,
  sstEnvironment,
  tableFunctionStatements,
} from "./templates.js";

/* The Api stack: routes, throttling, access logs, SSM outputs and the API and web functions with their permissions. */
useProdAndDev();

describe("Api", () => {
  it("routes the README's routes and CBM's extras to the API function, the pages to the web function, the planning routes to the planning function, with no CORS preflight", () => {
    for (const v of variants()) {
      const t = v.templates.Api;
      const apiFn = onlyResource(t, "AWS::Lambda::Function", "ApiHandler");
      const webFn = onlyResource(t, "AWS::Lambda::Function", "WebHandler");
      const planningFn = onlyResource(t, "AWS::Lambda::Function", "PlanningHandler");
      const api = onlyResource(t, "AWS::ApiGateway::RestApi");
      const paths = resourcePaths(t);
      const methods = Object.values(t.findResources("AWS::ApiGateway::Method") as Record<string, { Properties: Json }>);
      const routes = methods.map(({ Properties: m }) => {
        const resourceId = m.ResourceId as Json;
        const p = "Ref" in resourceId ? paths.get(resourceId.Ref as string) : "/";
        const route = `${m.HttpMethod as string} ${p}`;
        const fn = WEB_GATEWAY_ROUTES.includes(route) ? webFn : (PLANNING_ROUTES as readonly string[]).includes(route) ? planningFn : apiFn;
        expect(m.RestApiId).toEqual({ Ref: api.id });
        expect(m.AuthorizationType).toBe("NONE");
        expect(m.Integration).toEqual({
          IntegrationHttpMethod: "POST",
          Type: "AWS_PROXY",
          Uri: {
            "Fn::Join": [
              "",
              [
                "arn:",
                { Ref: "AWS::Partition" },
                ":apigateway:us-east-1:lambda:path/2015-03-31/functions/",
                { "Fn::GetAtt": [fn.id, "Arn"] },
                "/invocations",
              ],
            ],
          },
        });
        return route;
      });
      expect(routes.sort()).toEqual([...API_ROUTES, ...WEB_GATEWAY_ROUTES, ...PLANNING_ROUTES].sort());
    }
  });

  it("sends every other method on the pages' resources (HEAD, OPTIONS …) to the web function, keyless, as local mode does", () => {
    for (const v of variants()) {
      const t = v.templates.Api;
      const webFn = onlyResource(t, "AWS::Lambda::Function", "WebHandler");
      const paths = resourcePaths(t);
      const methods = Object.values(t.findResources("AWS::ApiGateway::Method") as Record<string, { Properties: Json }>);
      const byRoute = new Map(
        methods.map(({ Properties: m }) => [`${m.HttpMethod as string} ${paths.get((m.ResourceId as Json).Ref as string)}`, m]),
      );
      const pages = [...new Set(WEB_ROUTES.map((r) => r.slice(r.indexOf(" ") + 1)))];
      expect(pages).toEqual(expect.arrayContaining(["/link/{token}", "/console"]));
      for (const page of pages) {
        const any = byRoute.get(`ANY ${page}`);
        expect(any, `ANY ${page}`).toBeDefined();
        expect(any!.ApiKeyRequired, page).toBe(false);
        expect(any!.AuthorizationType).toBe("NONE");
        expect(JSON.stringify(any!.Integration)).toContain(`"${webFn.id}"`);
        expect(any!.Integration).toMatchObject({ Type: "AWS_PROXY", IntegrationHttpMethod: "POST" });
      }
      // The JSON API keeps its own methods: no ANY (so no keyless OPTIONS) anywhere else.
      const anyElsewhere = [...byRoute.keys()].filter((r) => r.startsWith("ANY ") && !pages.includes(r.slice(4)));
      expect(anyElsewhere).toEqual([]);
    }
  });

  it("lets API Gateway invoke the functions only from those methods (one scoped permission each)", () => {
    const t = prod.templates.Api;
    const fns = ["ApiHandler", "WebHandler", "PlanningHandler"].map((prefix) => ({
      "Fn::GetAtt": [onlyResource(t, "AWS::Lambda::Function", prefix).id, "Arn"],
    }));
    const permissions = Object.values(t.findResources("AWS::Lambda::Permission") as Record<string, { Properties: Json }>);
    expect(permissions).toHaveLength(API_ROUTES.length + WEB_GATEWAY_ROUTES.length + PLANNING_ROUTES.length);
    for (const { Properties: p } of permissions) {
      expect(p).toMatchObject({ Action: "lambda:InvokeFunction", Principal: "apigateway.amazonaws.com" });
      expect(fns).toContainEqual(p.FunctionName);
      expect(JSON.stringify(p.SourceArn)).toMatch(/execute-api/);
      expect(JSON.stringify(p.SourceArn)).not.toMatch(/test-invoke-stage/);
    }
  });

  it("is a regional REST API whose stage is named after the SST stage, throttled at 20 rps / burst 40", () => {
    for (const v of variants()) {
      const t = v.templates.Api;
      expect(props(onlyResource(t, "AWS::ApiGateway::RestApi")).EndpointConfiguration).toEqual({ Types: ["REGIONAL"] });
      const stage = props(onlyResource(t, "AWS::ApiGateway::Stage"));
      expect(stage.StageName).toBe(v.stage);
      expect(stage.MethodSettings).toEqual([
        {
          DataTraceEnabled: false,
          HttpMethod: "*",
          LoggingLevel: "ERROR",
          MetricsEnabled: true,
          ResourcePath: "/*",
          ThrottlingBurstLimit: 40,
          ThrottlingRateLimit: 20,
        },
      ]);
    }
  });

  it("has a usage plan on the stage with the same throttle", () => {
    const t = prod.templates.Api;
    const api = onlyResource(t, "AWS::ApiGateway::RestApi");
    const stage = onlyResource(t, "AWS::ApiGateway::Stage");
    const plan = props(onlyResource(t, "AWS::ApiGateway::UsagePlan"));
    expect(plan.Throttle).toEqual({ RateLimit: 20, BurstLimit: 40 });
    expect(plan.ApiStages).toEqual([{ ApiId: { Ref: api.id }, Stage: { Ref: stage.id }, Throttle: {} }]);
  });

  it("writes JSON access logs to its own log group, kept 90 days in prod, 30 in dev", () => {
    for (const [v, days] of [
      [prod, 90],
      [dev, 30],
    ] as const) {
      const t = v.templates.Api;
      const stage = props(onlyResource(t, "AWS::ApiGateway::Stage"));
      const logs = onlyResource(t, "AWS::Logs::LogGroup", "ApiLogGroup");
      const access = stage.AccessLogSetting as { DestinationArn: unknown; Format: string };
      expect(access.DestinationArn).toEqual(logGroupArn(logs.id));
      const format = JSON.parse(access.Format.replace(/\$context\.(status|responseLatency)/g, "0")) as Json;
      expect(Object.keys(format)).toEqual(expect.arrayContaining(["requestId", "httpMethod", "resourcePath", "status", "ip"]));
      expect(props(logs).RetentionInDays).toBe(days);
    }
  });

  it("keeps no approval-link token in the access log: no $context.path, no query string, only the route template", () => {
    for (const v of variants()) {
      const stage = props(onlyResource(v.templates.Api, "AWS::ApiGateway::Stage"));
      const format = (stage.AccessLogSetting as { Format: string }).Format;
      // $context.path is /link/<signed token>; $context.resourcePath is /link/{token}.
      expect(format).not.toMatch(/\$context\.path\b/);
      expect(format).not.toMatch(/querystring|requestOverride|\$input|\$method\.request/i);
      expect(format).toContain('"resourcePath":"$context.resourcePath"');
      // Every field is a $context variable of the gateway's own, none of them the request line.
      for (const [, variable] of format.matchAll(/(\$[a-zA-Z.]+)/g)) expect(variable).not.toMatch(/\.(path|querystring)$/);
    }
  });

  it("publishes the URL with the secret's name under /cbm/<stage>/ in SSM, as stack outputs too", () => {
    for (const v of variants()) {
      const t = v.templates.Api;
      const api = onlyResource(t, "AWS::ApiGateway::RestApi");
      const url = {
        "Fn::Join": ["", ["https://", { Ref: api.id }, ".execute-api.us-east-1.", { Ref: "AWS::URLSuffix" }, `/${v.stage}`]],
      };
      const urlParam = props(onlyResource(t, "AWS::SSM::Parameter", "ApiUrlParameter"));
      expect(urlParam).toMatchObject({ Name: `/cbm/${v.stage}/apiUrl`, Type: "String" });
      expect(urlParam.Value).toEqual(url);
      const secretParam = props(onlyResource(t, "AWS::SSM::Parameter", "ApiSecretNameParameter"));
      // The secret is named like the parameter: its value, or the string itself, works as the secret id.
      expect(secretParam).toEqual(
        expect.objectContaining({ Name: `/cbm/${v.stage}/apiSecretName`, Type: "String", Value: `/cbm/${v.stage}/apiSecretName` }),
      );

      t.hasOutput("ApiUrl", { Value: url });
      t.hasOutput("ApiUrlSSMParameter", { Value: `/cbm/${v.stage}/apiUrl` });
      t.hasOutput("ApiSecretNameSSMParameter", { Value: `/cbm/${v.stage}/apiSecretName` });
      t.hasOutput("ApiSecretName", { Value: secretParam.Value });
    }
  });

  it("runs the API function on nodejs22.x/arm64 with 512 MB, 10 s, its own log group, no X-Ray", () => {
    for (const v of variants()) {
      const t = v.templates.Api;
      const fn = props(onlyResource(t, "AWS::Lambda::Function", "ApiHandler"));
      const logs = onlyResource(t, "AWS::Logs::LogGroup", "ApiHandlerLogs");
      expect(functionMetadata(t, "ApiHandler")).toMatchObject({
        runtime: "nodejs22.x",
        handler: "packages/functions/src/composition/handlers/api.handler",
      });
      expect(fn).toMatchObject({ Runtime: "nodejs22.x", Architectures: ["arm64"], MemorySize: 512, Timeout: 10 });
      expect(fn.TracingConfig).toBeUndefined();
      expect(fn.ReservedConcurrentExecutions).toBeUndefined();
      expect(fn.LoggingConfig).toEqual({ LogGroup: { Ref: logs.id } });
      expect(props(logs).RetentionInDays).toBe(v === prod ? 90 : 30);
    }
  });

  it("gives the API function exactly its configuration in the environment", () => {
    for (const v of variants()) {
      const t = v.templates.Api;
      const api = onlyResource(t, "AWS::ApiGateway::RestApi");
      const fn = props(onlyResource(t, "AWS::Lambda::Function", "ApiHandler"));
      expect((fn.Environment as { Variables: Json }).Variables).toEqual({
        STAGE: v.stage,
        ACCOUNT_ID: ACCOUNT,
        POWERTOOLS_SERVICE_NAME: "cbm",
        TABLE_NAME: tableName(v.stage),
        API_KEY_SECRET_ID: `/cbm/${v.stage}/apiSecretName`,
        API_URL: {
          "Fn::Join": ["", ["https://", { Ref: api.id }, ".execute-api.us-east-1.", { Ref: "AWS::URLSuffix" }, `/${v.stage}`]],
        },
        ...sstEnvironment(v.stage),
      });
    }
  });

  it("allows the API role exactly: its log group, item actions on the table, Query on the table or its indexes, the secret", () => {
    for (const v of variants()) {
      const t = v.templates.Api;
      const logs = onlyResource(t, "AWS::Logs::LogGroup", "ApiHandlerLogs");
      expect(roleStatements(t, "ApiHandlerRole")).toEqual([
        ...tableFunctionStatements(v.stage, logs.id),
        { Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: secretArnByName(v.stage) },
      ]);
    }
  });
});

describe("Api: the browser pages", () => {
  it("serves the browser routes (links, console) from a function of its own, the one that may read the link key beside the API key", () => {
    for (const v of variants()) {
      const t = v.templates.Api;
      const fn = props(onlyResource(t, "AWS::Lambda::Function", "WebHandler"));
      expect(functionMetadata(t, "WebHandler")).toMatchObject({ handler: "packages/functions/src/composition/handlers/web.handler" });
      const env = (fn.Environment as { Variables: Json }).Variables;
      expect(env).toMatchObject({
        TABLE_NAME: tableName(v.stage),
        API_KEY_SECRET_ID: `/cbm/${v.stage}/apiSecretName`,
        LINK_KEY_SECRET_ID: linkKeyArn(v.stage),
      });
      expect(env.API_URL).toBeDefined();
      expect(roleStatements(t, "WebHandlerRole").at(-1)).toEqual({
        Effect: "Allow",
        Action: "secretsmanager:GetSecretValue",
        Resource: [secretArnByName(v.stage), linkKeyArn(v.stage)],
      });
    }
  });
});
