import { RemovalPolicy } from "aws-cdk-lib";
import { type ITable } from "aws-cdk-lib/aws-dynamodb";
import { Effect, PolicyStatement, Role, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { LogGroup, RetentionDays } from "aws-cdk-lib/aws-logs";
import { NagSuppressions } from "cdk-nag";
import { Function, type FunctionProps } from "sst/constructs";
import { type Construct } from "constructs";
import { RUNTIME_REASON } from "./nag.js";
import { isProtectedStage } from "./stage.js";

/**
 * DynamoDB actions CBM's adapters use. No Scan (the scheduler reads the `due` index), no Batch*: transactions are
 * authorised per item by Put/Update/Delete/ConditionCheckItem, and TransactGetItems by GetItem.
 */
export const TABLE_ITEM_ACTIONS = [
  "dynamodb:ConditionCheckItem",
  "dynamodb:DeleteItem",
  "dynamodb:GetItem",
  "dynamodb:PutItem",
  "dynamodb:UpdateItem",
];

/** Item-level access to the table, and Query on the table and its indexes (history pages, `due`, `blocks`). */
export function tableStatements(table: ITable): PolicyStatement[] {
  return [
    new PolicyStatement({ effect: Effect.ALLOW, actions: TABLE_ITEM_ACTIONS, resources: [table.tableArn] }),
    new PolicyStatement({
      effect: Effect.ALLOW,
      actions: ["dynamodb:Query"],
      resources: [table.tableArn, `${table.tableArn}/index/*`],
    }),
  ];
}

/** cdk-nag's rendering of `<table arn>/index/*` when the table comes from the Database stack. */
export const INDEX_RESOURCE = { regex: "/^Resource::<.*Table.*\\.Arn>\\/index\\/\\*$/g" };
export const INDEX_REASON =
  "Query on <table>/index/* covers exactly this table's GSIs (due, blocks); GSI ARNs end in the index name, and " +
  "listing them here would only repeat the Database stack.";

export interface CbmFunctionProps {
  stage: string;
  handler: string;
  description: string;
  timeoutSeconds: number;
  memoryMb: number;
  environment: Record<string, string>;
  statements: PolicyStatement[];
  extra?: Omit<FunctionProps, "handler" | "role" | "logGroup" | "timeout" | "memorySize" | "environment" | "permissions">;
}

/**
 * An SST Function with its own log group and its own role. The role carries only the statements given here plus
 * writing to that one log group: no AWSLambdaBasicExecutionRole (logs:CreateLogGroup on `*`), no SST `bind`
 * grants (which give `dynamodb:*`, `sns:*` …).
 */
export function cbmFunction(scope: Construct, id: string, props: CbmFunctionProps): Function {
  const keep = isProtectedStage(props.stage);
  const logGroup = new LogGroup(scope, `${id}Logs`, {
    retention: keep ? RetentionDays.THREE_MONTHS : RetentionDays.ONE_MONTH,
    removalPolicy: keep ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
  });
  const role = new Role(scope, `${id}Role`, {
    assumedBy: new ServicePrincipal("lambda.amazonaws.com"),
    description: `${props.description} (least privilege; see stacks/)`,
  });
  const fn = new Function(scope, id, {
    ...props.extra,
    handler: props.handler,
    description: props.description,
    timeout: props.timeoutSeconds,
    memorySize: props.memoryMb,
    environment: props.environment,
    role,
    logGroup,
    permissions: [
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ["logs:CreateLogStream", "logs:PutLogEvents"],
        resources: [logGroup.logGroupArn],
      }),
      ...props.statements,
    ],
  });
  NagSuppressions.addResourceSuppressions(fn, [{ id: "AwsSolutions-L1", reason: RUNTIME_REASON }]);
  return fn;
}
