import { RemovalPolicy } from "aws-cdk-lib";
import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption } from "aws-cdk-lib/aws-dynamodb";
import { type StackContext } from "sst/constructs";
import { IDEMPOTENCY_EXPIRY_ATTRIBUTE } from "@cbm/functions/contracts";
import { isProtectedStage } from "./stage.js";

/** Index the scheduler reads every minute: only the blocks whose `nextCheckAt` has come (never a scan). */
export const DUE_INDEX = "due";
/** Index the API lists from: every block record (`itemType`), ordered by `PK`, paginated. */
export const BLOCKS_INDEX = "blocks";
/** Index of blocks by end date (`endsAt`): the at-risk count reads only the blocks ending within 24 h. */
export const ENDING_INDEX = "ending";

/**
 * The one table: block records, their history and purchase intents, all keyed by `PK`/`SK`.
 * Outside protected stages it is disposable, so `sst remove` leaves nothing behind.
 */
export function Database({ stack, app }: StackContext) {
  const keep = isProtectedStage(app.stage);
  const table = new Table(stack, "Table", {
    partitionKey: { name: "PK", type: AttributeType.STRING },
    sortKey: { name: "SK", type: AttributeType.STRING },
    billingMode: BillingMode.PAY_PER_REQUEST,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    // Idempotency-Key records carry an expiry (epoch seconds); DynamoDB deletes them after it, at no write cost.
    timeToLiveAttribute: IDEMPOTENCY_EXPIRY_ATTRIBUTE,
    // AWS-managed key (aws/dynamodb): key use shows in CloudTrail, which matters for records of purchases and fees;
    // no key policy to maintain and no KMS permissions for the roles (DynamoDB uses the key on their behalf).
    encryption: TableEncryption.AWS_MANAGED,
    deletionProtection: keep,
    removalPolicy: keep ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
  });
  table.addGlobalSecondaryIndex({
    indexName: DUE_INDEX,
    partitionKey: { name: "due", type: AttributeType.STRING },
    sortKey: { name: "nextCheckAt", type: AttributeType.STRING },
    projectionType: ProjectionType.ALL,
  });
  table.addGlobalSecondaryIndex({
    indexName: BLOCKS_INDEX,
    partitionKey: { name: "itemType", type: AttributeType.STRING },
    sortKey: { name: "PK", type: AttributeType.STRING },
    projectionType: ProjectionType.ALL,
  });
  table.addGlobalSecondaryIndex({
    indexName: ENDING_INDEX,
    partitionKey: { name: "itemType", type: AttributeType.STRING },
    sortKey: { name: "endsAt", type: AttributeType.STRING },
    projectionType: ProjectionType.ALL,
  });
  stack.addOutputs({ TableName: table.tableName });
  return { table };
}
