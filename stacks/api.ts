import { RemovalPolicy } from "aws-cdk-lib";
import { Effect, PolicyStatement } from "aws-cdk-lib/aws-iam";
import { EndpointType, MethodLoggingLevel } from "aws-cdk-lib/aws-apigateway";
import { StringParameter } from "aws-cdk-lib/aws-ssm";
import { NagSuppressions } from "cdk-nag";
import { ApiGatewayV1Api, type StackContext, use } from "sst/constructs";
import { Database } from "./database.js";
import { Links } from "./links.js";
import { cbmFunction, INDEX_REASON, INDEX_RESOURCE, tableStatements } from "./lambda.js";
import { Secrets } from "./secrets.js";
import { isProtectedStage, parameterNames } from "./stage.js";

/** Stage-wide throttle: every request counts, with or without a key (usage-plan limits only bind keyed calls). */
export const API_THROTTLE = { rateLimit: 20, burstLimit: 40 } as const;

/** The original README's routes plus CBM's extras; every one goes to the same API function, which routes again. */
export const API_ROUTES = [
  "GET /",
  "POST /",
  "GET /openapi.json",
  "GET /{PK}",
  "PUT /{PK}",
  "DELETE /{PK}",
  "PATCH /{PK}",
  "POST /{PK}/deny",
  "POST /{PK}/reset-spend",
  "GET /{PK}/history",
] as const;

/**
 * The browser pages: approval links and the console. A function of their own (handlers/web.ts) that authenticates
 * each request itself (a signed link token, or a console session opened with the API key), so the JSON API's bundle
 * carries none of their code.
 */
export const WEB_ROUTES = ["GET /link/{token}", "POST /link/{token}", "GET /console", "ANY /console/{proxy+}"] as const;

/**
 * API Gateway REST API (v1, for usage plans and access logs) in front of one Lambda. The function checks
 * `x-api-key` itself against Secrets Manager, so a rotated key works without a redeploy; API Gateway's own API
 * keys would pin the old value until the next deploy.
 */
export function Api({ stack, app }: StackContext) {
  const { table } = use(Database);
  const { apiKey } = use(Secrets);
  const { linkKey } = use(Links);
  const names = parameterNames(app.stage);
  const stageName = app.stage;

  const handler = cbmFunction(stack, "ApiHandler", {
    stage: app.stage,
    handler: "packages/functions/src/handlers/api.handler",
    description: `CBM REST API (${app.stage})`,
    // API Gateway gives up after 29 s; a request that needs more is a bug, not a slow dependency.
    timeoutSeconds: 10,
    memoryMb: 512,
    environment: {
      TABLE_NAME: table.tableName,
      API_KEY_SECRET_ID: apiKey.secretArn,
    },
    statements: [
      ...tableStatements(table),
      new PolicyStatement({ effect: Effect.ALLOW, actions: ["secretsmanager:GetSecretValue"], resources: [apiKey.secretArn] }),
    ],
  });

  const web = cbmFunction(stack, "WebHandler", {
    stage: app.stage,
    handler: "packages/functions/src/handlers/web.handler",
    description: `CBM approval links and console (${app.stage})`,
    timeoutSeconds: 10,
    memoryMb: 512,
    environment: {
      TABLE_NAME: table.tableName,
      API_KEY_SECRET_ID: apiKey.secretArn,
      LINK_KEY_SECRET_ID: linkKey.secretArn,
    },
    statements: [
      ...tableStatements(table),
      new PolicyStatement({ effect: Effect.ALLOW, actions: ["secretsmanager:GetSecretValue"], resources: [apiKey.secretArn, linkKey.secretArn] }),
    ],
  });

  const api = new ApiGatewayV1Api(stack, "Api", {
    // Scripts and the CLI call the JSON API; browsers only load its own pages (same origin). No CORS preflight methods.
    cors: false,
    accessLog: { retention: isProtectedStage(app.stage) ? "three_months" : "one_month" },
    cdk: {
      restApi: {
        description: `Capacity Block Manager (${app.stage})`,
        endpointTypes: [EndpointType.REGIONAL],
        // Access and execution logs need the account-level CloudWatch role; CDK keeps it on removal (RETAIN).
        cloudWatchRole: true,
        deployOptions: {
          stageName,
          throttlingRateLimit: API_THROTTLE.rateLimit,
          throttlingBurstLimit: API_THROTTLE.burstLimit,
          loggingLevel: MethodLoggingLevel.ERROR,
          dataTraceEnabled: false,
          metricsEnabled: true,
          tracingEnabled: false,
        },
      },
    },
    routes: Object.fromEntries([
      ...API_ROUTES.map((route) => [route, { function: handler, cdk: { integration: { allowTestInvoke: false } } }]),
      ...WEB_ROUTES.map((route) => [route, { function: web, cdk: { integration: { allowTestInvoke: false } } }]),
    ]),
  });
  const restApi = api.cdk.restApi;
  // SST creates the access-log group with CDK's default (RETAIN); outside protected stages `sst remove` cleans it up.
  api.cdk.accessLogGroup?.applyRemovalPolicy(isProtectedStage(app.stage) ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY);

  const plan = restApi.addUsagePlan("UsagePlan", {
    name: `${app.logicalPrefixedName("cbm")}-default`,
    description: "CBM default plan; attach API keys here to give a client its own quota",
    throttle: { rateLimit: API_THROTTLE.rateLimit, burstLimit: API_THROTTLE.burstLimit },
  });
  plan.addApiStage({ stage: restApi.deploymentStage });

  // Built from the id, not restApi.url: the URL token depends on the stage -> deployment -> methods -> function,
  // so handing it to the function would be a cycle. No trailing slash, so "$API_URL/{PK}" works as in the README.
  const url = `https://${restApi.restApiId}.execute-api.${stack.region}.${stack.urlSuffix}/${stageName}`;
  handler.addEnvironment("API_URL", url);
  // The pages build their links and check the Origin of form posts against it.
  web.addEnvironment("API_URL", url);

  new StringParameter(stack, "ApiUrlParameter", {
    parameterName: names.apiUrl,
    stringValue: url,
    description: "Capacity Block Manager API URL",
  });
  new StringParameter(stack, "ApiSecretNameParameter", {
    parameterName: names.apiSecretName,
    stringValue: apiKey.secretName,
    description: "Name of the Secrets Manager secret holding the CBM API key (its SecretString is the key)",
  });

  stack.addOutputs({
    ApiUrl: url,
    ApiSecretName: apiKey.secretName,
    ApiUrlSSMParameter: names.apiUrl,
    ApiSecretNameSSMParameter: names.apiSecretName,
  });

  NagSuppressions.addResourceSuppressions(
    restApi,
    [
      {
        id: "AwsSolutions-APIG2",
        reason: "Bodies are validated by the handler with the zod schemas (400 with the fields at fault); a second, " +
          "coarser JSON-schema copy at the gateway would drift from them.",
      },
      {
        id: "AwsSolutions-APIG3",
        reason: "A few operators call this API; stage throttling (20 rps, burst 40) bounds abuse and cost. Attach a " +
          "WAF web ACL in accounts whose policy requires one.",
      },
      {
        id: "AwsSolutions-APIG4",
        reason: "Every route is authorised by the handler: x-api-key compared in constant time with the key in " +
          "Secrets Manager (403 as API Gateway answers). Gateway API keys would pin the key until the next deploy.",
      },
      {
        id: "AwsSolutions-IAM4",
        reason: "API Gateway's account-level CloudWatch role needs AmazonAPIGatewayPushToCloudWatchLogs to deliver " +
          "access and execution logs; CDK creates it and keeps it on removal because other stages share it.",
        appliesTo: ["Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"],
      },
      {
        id: "AwsSolutions-COG4",
        reason: "No Cognito users: CBM is called by scripts and the CLI with the API key (see APIG4).",
      },
    ],
    true,
  );
  for (const fn of [handler, web]) {
    if (!fn.role) continue;
    NagSuppressions.addResourceSuppressions(fn.role, [{ id: "AwsSolutions-IAM5", reason: INDEX_REASON, appliesTo: [INDEX_RESOURCE] }], true);
  }
  return { api, url, handler, web };
}
