/*
 * The AWS calls each Lambda entry point (packages/functions/src/composition/handlers/<name>.ts) makes, as the IAM actions that
 * allow them: the one list per function that the stacks grant from and a stacks test checks the bundles against
 * (stacks/test/aws-actions.test.ts reads the SDK commands esbuild kept in each bundle). DynamoDB is left out: every
 * function that reads the table gets the same item actions on it (stacks/lambda.ts), because a transaction is
 * authorised per item and cannot be read off a command.
 */

import { STAGE_TAG_KEY } from "@cbm/core";

/** The tag that says which stage a capacity reservation belongs to (core owns it: the engine reads it too). */
export { STAGE_TAG_KEY };

export const AWS_ACTIONS = {
  api: ["secretsmanager:GetSecretValue"],
  web: ["secretsmanager:GetSecretValue"],
  "planning-api": ["ec2:DescribeCapacityBlockOfferings", "secretsmanager:GetSecretValue"],
  tick: [
    // Claiming a hand-registered reservation for the stage (tick/claim.ts): tagging it cbm:stage=<stage>.
    "ec2:CreateTags",
    "ec2:DescribeCapacityBlockExtensionHistory",
    "ec2:DescribeCapacityBlockExtensionOfferings",
    "ec2:DescribeCapacityReservations",
    "ec2:PurchaseCapacityBlockExtension",
    "secretsmanager:GetSecretValue",
    "sns:Publish",
  ],
  requests: [
    "ec2:DescribeCapacityBlockOfferings",
    // The usage sampler's interconnect status; without it the sampler's error is swallowed and nothing is recorded.
    "ec2:DescribeCapacityBlockStatus",
    "ec2:DescribeCapacityReservations",
    "ec2:PurchaseCapacityBlock",
    // Not a command of its own: IAM asks for CreateTags when PurchaseCapacityBlock carries TagSpecifications.
    "ec2:CreateTags",
    "secretsmanager:GetSecretValue",
    "sns:Publish",
  ],
  notices: ["sns:Publish"],
  "rotate-api-key": [
    // API Gateway's control plane authorises by HTTP method: GetApiKeys/GetUsagePlanKeys, Create*, DeleteApiKey.
    "apigateway:DELETE",
    "apigateway:GET",
    "apigateway:POST",
    "secretsmanager:DescribeSecret",
    "secretsmanager:GetSecretValue",
    "secretsmanager:PutSecretValue",
    "secretsmanager:UpdateSecretVersionStage",
  ],
} as const satisfies Record<string, readonly string[]>;

export type HandlerName = keyof typeof AWS_ACTIONS;

/**
 * Calls whose SDK command is in a function's bundle but which its role deliberately does not allow, and why. The
 * planning API builds the same EC2 market adapter as the request worker for its offering search; the adapter can
 * also buy, and this role is what makes sure the planning API never does.
 */
export const NOT_GRANTED: Partial<Record<HandlerName, Readonly<Record<string, string>>>> = {
  notices: {
    "secretsmanager:GetSecretValue":
      "the composition's Lambda environment, which builds a secret source only for the secret ids it is given; the notices function is given none",
  },
  "planning-api": {
    "ec2:PurchaseCapacityBlock": "the planning API searches offerings and never buys: only the request worker may",
    "ec2:DescribeCapacityReservations": "the market adapter's settle-by-tag lookup, which only a purchase needs",
  },
};

/**
 * Actions IAM requires of a function that no SDK command of its own names: tag-on-create asks for CreateTags beside
 * the creating call. Per function: the tick calls CreateTags itself (its claim), the request worker only implies it.
 */
export const IMPLIED_ACTIONS: Partial<Record<HandlerName, Readonly<Record<string, string>>>> = {
  requests: { "ec2:CreateTags": "ec2:PurchaseCapacityBlock" },
};

/** The actions of `handler` on one service (`ec2`, `sns` …), in the order above. */
export function awsActions(handler: HandlerName, service: string): string[] {
  return AWS_ACTIONS[handler].filter((action) => action.startsWith(`${service}:`));
}

/** The tags of what a function creates for its stage (none when the stage is unknown, as in tests and local mode). */
export function stageTags(stage: string | undefined): Record<string, string> | undefined {
  return stage ? { [STAGE_TAG_KEY]: stage } : undefined;
}
