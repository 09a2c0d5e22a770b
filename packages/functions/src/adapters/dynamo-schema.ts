/*
 * The table design, shared by the adapters, the tests, local mode and the SST stack. Free of SDK imports, so that
 * stacks/ can import the names without the DynamoDB client; creating the table is dynamo-table.ts.
 */

/** Partition key: the block's PK. */
export const PARTITION_KEY = "PK";
/** Sort key: BLOCK_SK for the block record, `HIST#<eventId>` for its history events. */
export const SORT_KEY = "SK";
export const BLOCK_SK = "BLOCK";
export const HISTORY_SK_PREFIX = "HIST#";

/**
 * A reservation's spend ledger (see core's ReservationLedger) lives under `RES#<reservation id>`: `#` is not allowed
 * in a block's PK, so it can never collide with a block, and it carries no index attribute, so no index lists it.
 */
export const LEDGER_SK = "LEDGER";
export function ledgerPk(capacityReservationId: string): string {
  return `RES#${capacityReservationId}`;
}

/**
 * The record that an approval link's token was used (`LINK#<token id>`), written in the verdict's transaction so a
 * token acts once, and the record that an expiry reminder went out (`REMIND#<PK>#<end date>#<offset>`). Like the
 * ledger they hold `#`, which a block's PK cannot, and no index attribute. TTL_ATTRIBUTE (epoch seconds) is the
 * table's one TTL attribute (the idempotency records' `expiration`), so DynamoDB removes them once they cannot matter.
 */
export const LINK_SK = "LINK";
export function linkPk(tokenId: string): string {
  return `LINK#${tokenId}`;
}
export const REMINDER_SK = "REMINDER";
export function reminderPk(key: string): string {
  return `REMIND#${key}`;
}
export const TTL_ATTRIBUTE = "expiration";

/**
 * Console sessions (adapters/dynamo-session-store.ts): one partition, SK = a hash of the session id, removed by the
 * TTL attribute at the end of their lifetime. `#` keeps them apart from blocks; no index attribute, so no index lists them.
 */
export const SESSION_PK = "SESSION#console";

/** Sparse GSI the scheduler reads: only blocks with a nextCheckAt carry DUE_ATTRIBUTE. */
export const DUE_INDEX = "due";
export const DUE_ATTRIBUTE = "due";
export const DUE_VALUE = "due";
export const DUE_SORT_KEY = "nextCheckAt";

/** GSI the list route reads (no Scan): only block records carry ITEM_TYPE_ATTRIBUTE. */
export const BLOCKS_INDEX = "blocks";
export const ITEM_TYPE_ATTRIBUTE = "itemType";
export const BLOCK_ITEM_TYPE = "block";

/**
 * GSI of blocks by end date, so the at-risk count reads only blocks ending soon instead of every block. Its range
 * key is ENDS_AT_ATTRIBUTE, the block's endDate in one canonical ISO form (string order is time order).
 */
export const ENDING_INDEX = "ending";
export const ENDS_AT_ATTRIBUTE = "endsAt";

/**
 * The API's idempotency records (adapters/dynamo-idempotency.ts) live in this table under one partition,
 * with SK = `cbm-api#<sha256 of key and scope>`. `#` cannot occur in a block's PK, so they never meet a block, and
 * they carry no index attribute, so no index sees them.
 */
export const IDEMPOTENCY_PK = "IDEMPOTENCY#api";
/** Epoch seconds after which an idempotency record is void; the table's TTL attribute deletes it eventually. */
export const IDEMPOTENCY_EXPIRY_ATTRIBUTE = "expiration";

/** Attributes the adapter adds to a Block; stripped again on read. */
export const STORAGE_ATTRIBUTES = [PARTITION_KEY, SORT_KEY, ITEM_TYPE_ATTRIBUTE, DUE_ATTRIBUTE, ENDS_AT_ATTRIBUTE] as const;

/** The CreateTable input for the table, for tests and local mode (the stack declares the same with CDK). */
export function tableDefinition(tableName: string) {
  return {
    TableName: tableName,
    BillingMode: "PAY_PER_REQUEST" as const,
    AttributeDefinitions: [
      { AttributeName: PARTITION_KEY, AttributeType: "S" as const },
      { AttributeName: SORT_KEY, AttributeType: "S" as const },
      { AttributeName: DUE_ATTRIBUTE, AttributeType: "S" as const },
      { AttributeName: DUE_SORT_KEY, AttributeType: "S" as const },
      { AttributeName: ITEM_TYPE_ATTRIBUTE, AttributeType: "S" as const },
      { AttributeName: ENDS_AT_ATTRIBUTE, AttributeType: "S" as const },
    ],
    KeySchema: [
      { AttributeName: PARTITION_KEY, KeyType: "HASH" as const },
      { AttributeName: SORT_KEY, KeyType: "RANGE" as const },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: DUE_INDEX,
        KeySchema: [
          { AttributeName: DUE_ATTRIBUTE, KeyType: "HASH" as const },
          { AttributeName: DUE_SORT_KEY, KeyType: "RANGE" as const },
        ],
        Projection: { ProjectionType: "ALL" as const },
      },
      {
        IndexName: BLOCKS_INDEX,
        KeySchema: [
          { AttributeName: ITEM_TYPE_ATTRIBUTE, KeyType: "HASH" as const },
          { AttributeName: PARTITION_KEY, KeyType: "RANGE" as const },
        ],
        Projection: { ProjectionType: "ALL" as const },
      },
      {
        IndexName: ENDING_INDEX,
        KeySchema: [
          { AttributeName: ITEM_TYPE_ATTRIBUTE, KeyType: "HASH" as const },
          { AttributeName: ENDS_AT_ATTRIBUTE, KeyType: "RANGE" as const },
        ],
        Projection: { ProjectionType: "ALL" as const },
      },
    ],
  };
}
