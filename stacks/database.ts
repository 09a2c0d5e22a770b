import { RemovalPolicy } from "aws-cdk-lib";
import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption } from "aws-cdk-lib/aws-dynamodb";
import { type StackContext } from "sst/constructs";
import {
  BLOCKS_INDEX,
  DUE_ATTRIBUTE,
  DUE_INDEX,
  DUE_SORT_KEY,
  ENDING_INDEX,
  ENDS_AT_ATTRIBUTE,
  IDEMPOTENCY_EXPIRY_ATTRIBUTE,
  ITEM_TYPE_ATTRIBUTE,
  PARTITION_KEY,
  SORT_KEY,
} from "@cbm/functions/contracts";
import { isProtectedStage } from "./stage.js";

// Key, index and attribute names come from the functions' table design (@cbm/functions/contracts), which the
// adapters query: the table the stack declares is the one the code reads, by construction.

/**
 * The one table: block records, their history and purchase intents, all keyed by `PK`/`SK`.
 * Outside protected stages it is disposable, so `sst remove` leaves nothing behind.
 */
export function Database({ stack, app }: StackContext) {
  const keep = isProtectedStage(app.stage);
  const table = new Table(stack, "Table", {
    partitionKey: { name: PARTITION_KEY, type: AttributeType.STRING },
    sortKey: { name: SORT_KEY, type: AttributeType.STRING },
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
  // The scheduler reads every minute only the blocks whose `nextCheckAt` has come (never a scan).
  table.addGlobalSecondaryIndex({
    indexName: DUE_INDEX,
    partitionKey: { name: DUE_ATTRIBUTE, type: AttributeType.STRING },
    sortKey: { name: DUE_SORT_KEY, type: AttributeType.STRING },
    projectionType: ProjectionType.ALL,
  });
  // The API lists every block record, ordered by PK, paginated.
  table.addGlobalSecondaryIndex({
    indexName: BLOCKS_INDEX,
    partitionKey: { name: ITEM_TYPE_ATTRIBUTE, type: AttributeType.STRING },
    sortKey: { name: PARTITION_KEY, type: AttributeType.STRING },
    projectionType: ProjectionType.ALL,
  });
  // Blocks by end date: the at-risk count reads only the blocks ending within 24 h.
  table.addGlobalSecondaryIndex({
    indexName: ENDING_INDEX,
    partitionKey: { name: ITEM_TYPE_ATTRIBUTE, type: AttributeType.STRING },
    sortKey: { name: ENDS_AT_ATTRIBUTE, type: AttributeType.STRING },
    projectionType: ProjectionType.ALL,
  });
  stack.addOutputs({ TableName: table.tableName });
  return { table };
}
