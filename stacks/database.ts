import { RemovalPolicy } from "aws-cdk-lib";
import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption } from "aws-cdk-lib/aws-dynamodb";
import { type StackContext } from "sst/constructs";
import { isProtectedStage } from "./stage.js";

/** Index the scheduler reads every minute: only the blocks whose `nextCheckAt` has come (never a scan). */
export const DUE_INDEX = "due";
/** Index the API lists from: every block record (`itemType`), ordered by `PK`, paginated. */
export const BLOCKS_INDEX = "blocks";

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
    // AWS-owned key: no KMS charges per request and no key policy to keep in step with the roles; the data is
    // block metadata and policies, not secrets (the API key lives in Secrets Manager).
    encryption: TableEncryption.DEFAULT,
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
  stack.addOutputs({ TableName: table.tableName });
  return { table };
}
