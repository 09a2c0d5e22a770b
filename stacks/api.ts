import { ArnFormat, RemovalPolicy } from "aws-cdk-lib";
import { Effect, PolicyStatement } from "aws-cdk-lib/aws-iam";
import { ApiKeySourceType, EndpointType, MethodLoggingLevel } from "aws-cdk-lib/aws-apigateway";
import { StringParameter } from "aws-cdk-lib/aws-ssm";
import { NagSuppressions } from "cdk-nag";
import { ApiGatewayV1Api, type StackContext, use } from "sst/constructs";
import { Database } from "./database.js";
import { cbmFunction, INDEX_REASON, INDEX_RESOURCE, tableStatements } from "./lambda.js";
import { planningFunction, PLANNING_ROUTES } from "./planning.js";
import { adminEmail, AUTO_APPROVAL_VARIABLE, isProtectedStage, parameterNames } from "./stage.js";
import { apiFirewall } from "./waf.js";
import { API_ROUTES, awsActions, WEB_GATEWAY_ROUTES, WEB_ROUTES } from "@cbm/functions/contracts";
import { Links } from "./links.js";

/** Stage-wide throttle: every request counts, with or without a key (usage-plan limits only bind keyed calls). */
export const API_THROTTLE = { rateLimit: 20, burstLimit: 40 } as const;

/**
 * The access log's fields: SST's default without `$context.path`. A path such as `/link/<signed token>` carries a
 * live approval link, and anyone who can read the log group for its 90 days could open it and approve; the route
 * template (`$context.resourcePath`, `/link/{token}`) says which page was asked for without the token. No field
 * holds the query string or a header but the user agent, so no token in a query reaches the log either.
 */
export const ACCESS_LOG_FIELDS: Record<string, string> = {
  requestTime: '"$context.requestTime"',
  requestId: '"$context.requestId"',
  httpMethod: '"$context.httpMethod"',
  resourcePath: '"$context.resourcePath"',
  status: "$context.status",
  responseLatency: "$context.responseLatency",
  integrationRequestId: '"$context.integration.requestId"',
  functionResponseStatus: '"$context.integration.status"',
  integrationLatency: '"$context.integration.latency"',
  integrationServiceStatus: '"$context.integration.integrationStatus"',
  errorMessage: '"$context.error.message"',
  wafStatus: '"$context.waf.status"',
  ip: '"$context.identity.sourceIp"',
  userAgent: '"$context.identity.userAgent"',
};
export const ACCESS_LOG_FORMAT = `{${Object.entries(ACCESS_LOG_FIELDS)
  .map(([name, value]) => `"${name}":${value}`)
  .join(",")}}`;

/** Every route of the manifest (derived from the route tables in packages/functions/src/contracts/routes.ts) goes to the same API function, which routes again. */
export { API_ROUTES };

/**
 * The browser pages (approval links, the console) go to a function of their own (composition/handlers/web.ts). Browsers send no
 * x-api-key, so API Gateway does not require one on these methods: the function authenticates every request itself
 * (a signed link token, or a console session opened with the API key), and WAF's rules apply as to every route.
 * WEB_GATEWAY_ROUTES adds `ANY` on each page's resource, so HEAD, OPTIONS and the rest get the function's 405 page
 * as in local mode, not API Gateway's 403 "Missing Authentication Token".
 */
export { WEB_GATEWAY_ROUTES, WEB_ROUTES };

/**
 * API Gateway REST API (v1, for usage plans, API keys, WAF and access logs) in front of one Lambda. A request is
 * checked three times before any code of ours runs: WAF (per-IP rate, AWS common rules), API Gateway (the API key is
 * required on every method and must be attached to the usage plan), and then the function compares `x-api-key`
 * with the secret itself (defence in depth). The usage plan's keys are kept equal to the secret by the rotation
 * function (stacks/secrets.ts).
 *
 * The secret is referred to by its fixed name, not imported: the Secrets stack comes after this one, because its
 * rotation function needs the usage plan and the rotation schedule belongs in the secret's own stack (an import the
 * other way would be a cycle; cdk-nag's SMG4 also looks for the schedule there).
 */
export function Api({ stack, app }: StackContext) {
  const { table } = use(Database);
  const { linkKey } = use(Links);
  const names = parameterNames(app.stage);
  const stageName = app.stage;
  // The secret's ARN ends in "-" and 6 random characters Secrets Manager appends to the name.
  const secretArn = stack.formatArn({
    service: "secretsmanager",
    resource: "secret",
    resourceName: `${names.apiSecretName}-??????`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });

  const handler = cbmFunction(stack, "ApiHandler", {
    stage: app.stage,
    handler: "packages/functions/src/composition/handlers/api.handler",
    description: `CBM REST API (${app.stage})`,
    // API Gateway gives up after 29 s; a request that needs more is a bug, not a slow dependency.
    timeoutSeconds: 10,
    memoryMb: 512,
    environment: {
      TABLE_NAME: table.tableName,
      API_KEY_SECRET_ID: names.apiSecretName,
    },
    statements: [
      ...tableStatements(table),
      new PolicyStatement({ effect: Effect.ALLOW, actions: awsActions("api", "secretsmanager"), resources: [secretArn] }),
    ],
  });

  const web = cbmFunction(stack, "WebHandler", {
    stage: app.stage,
    handler: "packages/functions/src/composition/handlers/web.handler",
    description: `CBM approval links and console (${app.stage})`,
    timeoutSeconds: 10,
    memoryMb: 512,
    environment: {
      TABLE_NAME: table.tableName,
      API_KEY_SECRET_ID: names.apiSecretName,
      LINK_KEY_SECRET_ID: linkKey.secretArn,
      // The console shows a banner while no one can be asked: purchases that need approval are approved automatically.
      ...(adminEmail() ? {} : { [AUTO_APPROVAL_VARIABLE]: "on" }),
    },
    statements: [
      ...tableStatements(table),
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: awsActions("web", "secretsmanager"),
        resources: [secretArn, linkKey.secretArn],
      }),
    ],
  });
  const planning = planningFunction(stack, { stage: app.stage, table, apiSecretName: names.apiSecretName, secretArn });
  const keyed = { cdk: { method: { apiKeyRequired: true }, integration: { allowTestInvoke: false } } };

  const api = new ApiGatewayV1Api(stack, "Api", {
    // Scripts and the CLI call the JSON API; browsers only load its own pages (same origin). No CORS preflight methods.
    cors: false,
    accessLog: { retention: isProtectedStage(app.stage) ? "three_months" : "one_month", format: ACCESS_LOG_FORMAT },
    cdk: {
      restApi: {
        description: `Capacity Block Manager (${app.stage})`,
        endpointTypes: [EndpointType.REGIONAL],
        // Clients send the key as x-api-key, as the first release's did.
        apiKeySourceType: ApiKeySourceType.HEADER,
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
      ...API_ROUTES.map((route) => [route, { function: handler, ...keyed }]),
      ...PLANNING_ROUTES.map((route) => [route, { function: planning, ...keyed }]),
      // The browser pages carry no API key (links and the console's session cookie authenticate them).
      ...WEB_GATEWAY_ROUTES.map((route) => [
        route,
        { function: web, cdk: { method: { apiKeyRequired: false }, integration: { allowTestInvoke: false } } },
      ]),
    ]),
  });
  const restApi = api.cdk.restApi;
  // SST creates the access-log group with CDK's default (RETAIN); outside protected stages `sst remove` cleans it up.
  api.cdk.accessLogGroup?.applyRemovalPolicy(isProtectedStage(app.stage) ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY);

  const plan = restApi.addUsagePlan("UsagePlan", {
    name: `${app.logicalPrefixedName("cbm")}-default`,
    description:
      "CBM: the API key in Secrets Manager, kept here by the key-rotation function; keys added by hand pass the gateway but not the API",
    throttle: { rateLimit: API_THROTTLE.rateLimit, burstLimit: API_THROTTLE.burstLimit },
  });
  plan.addApiStage({ stage: restApi.deploymentStage });
  apiFirewall(stack, { stage: restApi.deploymentStage, metricPrefix: app.logicalPrefixedName("cbm") });

  // Built from the id, not restApi.url: the URL token depends on the stage -> deployment -> methods -> function,
  // so handing it to the function would be a cycle. No trailing slash, so "$API_URL/{PK}" works as in the README.
  const url = `https://${restApi.restApiId}.execute-api.${stack.region}.${stack.urlSuffix}/${stageName}`;
  handler.addEnvironment("API_URL", url);
  // The pages build their links and check the Origin of form posts against it.
  web.addEnvironment("API_URL", url);
  planning.addEnvironment("API_URL", url);

  new StringParameter(stack, "ApiUrlParameter", {
    parameterName: names.apiUrl,
    stringValue: url,
    description: "Capacity Block Manager API URL",
  });
  // The secret has this very name too, so scripts that use the string directly as the secret id work (first release).
  new StringParameter(stack, "ApiSecretNameParameter", {
    parameterName: names.apiSecretName,
    stringValue: names.apiSecretName,
    description: "Name of the Secrets Manager secret holding the CBM API key (JSON; the key is its api_key member)",
  });

  stack.addOutputs({
    ApiUrl: url,
    ApiSecretName: names.apiSecretName,
    ApiUrlSSMParameter: names.apiUrl,
    ApiSecretNameSSMParameter: names.apiSecretName,
  });

  NagSuppressions.addResourceSuppressions(
    restApi,
    [
      {
        id: "AwsSolutions-APIG2",
        reason:
          "Bodies are validated by the handler with the zod schemas (400 with the fields at fault); a second, " +
          "coarser JSON-schema copy at the gateway would drift from them.",
      },
      {
        id: "AwsSolutions-APIG4",
        reason:
          "Callers are scripts and the CLI with the API key, not IAM principals or Cognito users: API Gateway " +
          "requires the key on every JSON method (usage plan) and the handler compares it again with Secrets Manager. " +
          "The browser pages (WEB_ROUTES) carry no key: their function checks a signed link token or console session.",
      },
      {
        id: "AwsSolutions-IAM4",
        reason:
          "API Gateway's account-level CloudWatch role needs AmazonAPIGatewayPushToCloudWatchLogs to deliver " +
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
    NagSuppressions.addResourceSuppressions(
      fn.role,
      [{ id: "AwsSolutions-IAM5", reason: INDEX_REASON, appliesTo: [INDEX_RESOURCE] }],
      true,
    );
  }
  return { api, url, handler, web, planning, plan };
}
