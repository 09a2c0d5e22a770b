import { Duration, type Stack } from "aws-cdk-lib";
import { RuleTargetInput } from "aws-cdk-lib/aws-events";
import { Effect, PolicyStatement } from "aws-cdk-lib/aws-iam";
import { CfnPermission } from "aws-cdk-lib/aws-lambda";
import { CfnRotationSchedule, Secret } from "aws-cdk-lib/aws-secretsmanager";
import { NagSuppressions } from "cdk-nag";
import { Cron, type StackContext, use } from "sst/constructs";
import { awsActions, STAGE_TAG_KEY } from "@cbm/functions/contracts";
import { Api } from "./api.js";
import { cbmFunction } from "./lambda.js";
import { parameterNames } from "./stage.js";

/** The secret's JSON, as the first release deployed it: `{"username":"web_user","api_key":"<generated>"}`. */
export const API_KEY_TEMPLATE = { username: "web_user" } as const;
export const API_KEY_MEMBER = "api_key";
/** A new key every 30 days (Secrets Manager runs the four rotation steps). */
export const API_KEY_ROTATION_DAYS = 30;
/** How often API Gateway's keys are brought back in line with the secret (drops superseded keys after their grace). */
export const KEY_RECONCILE_SCHEDULE = "rate(5 minutes)";
/** The reconcile schedule's event; packages/functions/src/rotation/events.ts parses it (a test pins the two together). */
export const KEY_RECONCILE_EVENT = { action: "reconcile-api-keys" } as const;
export const KEY_ROTATION_TIMEOUT_SECONDS = 30;

/** `arn:<partition>:apigateway:<region>::<path>`: API Gateway's control-plane resources carry no account. */
const apigatewayArn = (stack: Stack, path: string) => `arn:${stack.partition}:apigateway:${stack.region}::${path}`;

/**
 * The API key and its rotation. The secret is named `/cbm/<stage>/apiSecretName`, the string the first release's
 * scripts use as the secret id (and the value of the SSM parameter of that name). CloudFormation deletes a secret
 * without a recovery window, so `sst remove` then `sst deploy` can create the same name again.
 *
 * Rotation: Secrets Manager invokes the rotation function every API_KEY_ROTATION_DAYS days for its four steps; the
 * new key is attached to the API's usage plan before it becomes current, and the old one stays attached for a grace
 * (packages/functions/src/rotation/key-plan.ts). The same function runs every 5 minutes to reconcile API Gateway's
 * keys with the secret: it gives API Gateway the generated key on the first deploy, picks up a value put by hand,
 * and removes superseded keys once their grace is over. Rotation is not run at deploy: Secrets Manager only tests
 * the configuration then (the function's testSecret, which reconciles).
 */
export function Secrets({ stack, app }: StackContext) {
  const { plan } = use(Api);
  const names = parameterNames(app.stage);

  const apiKey = new Secret(stack, "ApiKey", {
    secretName: names.apiSecretName,
    description: `Capacity Block Manager API key (${app.stage}); send its api_key member as the x-api-key header`,
    generateSecretString: {
      secretStringTemplate: JSON.stringify(API_KEY_TEMPLATE),
      generateStringKey: API_KEY_MEMBER,
      excludePunctuation: true,
      passwordLength: 40,
    },
  });

  const planKeys = apigatewayArn(stack, `/usageplans/${plan.usagePlanId}/keys`);
  const allKeys = apigatewayArn(stack, "/apikeys");
  const rotation = cbmFunction(stack, "KeyRotation", {
    stage: app.stage,
    handler: "packages/functions/src/composition/handlers/rotate-api-key.handler",
    description: `CBM API key rotation and API Gateway key reconcile (${app.stage})`,
    timeoutSeconds: KEY_ROTATION_TIMEOUT_SECONDS,
    memoryMb: 256,
    environment: {
      API_KEY_SECRET_ID: apiKey.secretArn,
      USAGE_PLAN_ID: plan.usagePlanId,
      API_KEY_NAME_PREFIX: `${app.logicalPrefixedName("api-key")}-`,
    },
    statements: [
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: awsActions("rotate-api-key", "secretsmanager"),
        resources: [apiKey.secretArn],
      }),
      // List the plan's keys; list our keys by name to adopt one an interrupted step created but did not attach.
      new PolicyStatement({ effect: Effect.ALLOW, actions: ["apigateway:GET"], resources: [planKeys, allKeys] }),
      // Create a key; attach it to this plan.
      new PolicyStatement({ effect: Effect.ALLOW, actions: ["apigateway:POST"], resources: [allKeys, planKeys] }),
      // Delete only the keys it created for this stage (tagged by the adapter): never another stage's or a hand-made one.
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ["apigateway:DELETE"],
        resources: [`${allKeys}/*`],
        conditions: { StringEquals: { [`aws:ResourceTag/${STAGE_TAG_KEY}`]: app.stage } },
      }),
    ],
    // A failed reconcile is not replayed: the next one, 5 minutes later, does the same work from fresh state.
    extra: { retryAttempts: 0 },
  });

  // Secrets Manager calls the function for this account's secrets only (confused-deputy guard).
  const invoke = new CfnPermission(stack, "KeyRotationInvoke", {
    action: "lambda:InvokeFunction",
    functionName: rotation.functionArn,
    principal: "secretsmanager.amazonaws.com",
    sourceAccount: stack.account,
  });
  const schedule = new CfnRotationSchedule(stack, "ApiKeyRotation", {
    secretId: apiKey.secretArn,
    rotationLambdaArn: rotation.functionArn,
    rotationRules: { automaticallyAfterDays: API_KEY_ROTATION_DAYS },
    rotateImmediatelyOnUpdate: false,
  });
  // Setting the schedule runs testSecret at once: the function must be invocable and its permissions in place.
  schedule.addDependency(invoke);
  const policy = rotation.role?.node.tryFindChild("DefaultPolicy");
  if (policy) schedule.node.addDependency(policy);

  new Cron(stack, "KeyReconcile", {
    schedule: KEY_RECONCILE_SCHEDULE,
    job: {
      function: rotation,
      cdk: { target: { event: RuleTargetInput.fromObject(KEY_RECONCILE_EVENT), retryAttempts: 0, maxEventAge: Duration.minutes(5) } },
    },
  });

  if (rotation.role) {
    NagSuppressions.addResourceSuppressions(
      rotation.role,
      [
        {
          id: "AwsSolutions-IAM5",
          reason:
            "API key ids are generated when a rotation creates the key, so DELETE cannot name them in advance; the " +
            "function deletes only keys attached to this stage's usage plan whose name carries this stage's prefix.",
          appliesTo: [{ regex: "/^Resource::arn:<AWS::Partition>:apigateway:[a-z0-9-]+::\\/apikeys\\/\\*$/g" }],
        },
      ],
      true,
    );
  }
  return { apiKey, rotation, schedule };
}
