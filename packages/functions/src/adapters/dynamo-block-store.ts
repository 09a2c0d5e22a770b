import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  type DynamoDBDocumentClient,
} from "@aws-sdk/lib-dynamodb";
import {
  AlreadyExistsError,
  Block,
  InfrastructureError,
  NotFoundError,
  PurchaseInFlightError,
  VersionConflictError,
  type BlockStore,
  type HistoryEvent,
  type Page,
} from "@cbm/core";
import { BlocksIndexCursor, DueIndexCursor, EndingIndexCursor, decodeCursor, encodeCursor } from "./dynamo-cursor";
import { cancellationCodes, errorName, toInfrastructureError } from "./dynamo-errors";
import { historyPut } from "./dynamo-history-store";
import {
  BLOCK_ITEM_TYPE,
  BLOCK_SK,
  BLOCKS_INDEX,
  DUE_ATTRIBUTE,
  DUE_INDEX,
  DUE_SORT_KEY,
  DUE_VALUE,
  ENDING_INDEX,
  ENDS_AT_ATTRIBUTE,
  ITEM_TYPE_ATTRIBUTE,
  PARTITION_KEY,
  SORT_KEY,
  STORAGE_ATTRIBUTES,
} from "./dynamo-schema";

export interface DynamoStoreOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
  /** Where unreadable stored items are reported; they are skipped by list/findDue so one bad row cannot stop the rest. */
  logger?: Pick<Console, "warn">;
}

type Item = Record<string, unknown>;

/** The due index compares ISO strings, so every stored nextCheckAt uses one format: UTC with milliseconds. */
function canonicalInstant(iso: string): string {
  return new Date(iso).toISOString();
}

export function blockToItem(block: Block): Item {
  // JSON round trip drops undefined members at any depth, whatever marshall options the injected client has.
  const { nextCheckAt, ...rest } = JSON.parse(JSON.stringify(block)) as Block;
  const item: Item = { ...rest, [SORT_KEY]: BLOCK_SK, [ITEM_TYPE_ATTRIBUTE]: BLOCK_ITEM_TYPE };
  // A null GSI key is a type error in DynamoDB: a block with no next check simply has neither attribute.
  if (nextCheckAt) {
    item[DUE_SORT_KEY] = canonicalInstant(nextCheckAt);
    item[DUE_ATTRIBUTE] = DUE_VALUE;
  }
  if (rest.endDate) item[ENDS_AT_ATTRIBUTE] = canonicalInstant(rest.endDate);
  return item;
}

export function itemToBlock(item: Item): Block {
  const copy: Item = { ...item };
  for (const attr of STORAGE_ATTRIBUTES) if (attr !== PARTITION_KEY) delete copy[attr];
  const parsed = Block.safeParse(copy);
  if (!parsed.success) throw new InfrastructureError(`Stored block '${String(item[PARTITION_KEY])}' does not match the Block schema`, "InvalidStoredItem");
  return parsed.data;
}

/** The BlockStore port on one DynamoDB table (see dynamo-schema.ts). Every write is conditional. */
export function createDynamoBlockStore({ client, tableName, logger = console }: DynamoStoreOptions): BlockStore {
  const key = (pk: string) => ({ [PARTITION_KEY]: pk, [SORT_KEY]: BLOCK_SK });

  async function read(pk: string, operation = "GetItem"): Promise<Block | undefined> {
    let out;
    try {
      out = await client.send(new GetCommand({ TableName: tableName, Key: key(pk), ConsistentRead: true }));
    } catch (err) {
      throw toInfrastructureError(operation, err);
    }
    return out.Item ? itemToBlock(out.Item) : undefined;
  }

  /** A write's condition failed: read once to tell the caller which rule it broke. */
  async function diagnose(pk: string, expectedVersion: number, checkIntent: boolean): Promise<Error> {
    const current = await read(pk);
    if (!current) return new NotFoundError(pk);
    if (current.version !== expectedVersion) return new VersionConflictError(pk, expectedVersion);
    if (checkIntent && current.intent) return new PurchaseInFlightError(pk);
    // The record changed and changed back between the write and this read: still someone else's write.
    return new VersionConflictError(pk, expectedVersion);
  }

  /** Runs one conditional write, alone or in a transaction with history events, and maps condition failures. */
  async function write(
    operation: string,
    pk: string,
    primary: Record<string, unknown>,
    kind: "Put" | "Delete",
    events: HistoryEvent[],
    onConditionFailed: () => Promise<Error>,
  ): Promise<void> {
    try {
      if (events.length === 0) {
        if (kind === "Put") await client.send(new PutCommand(primary as never));
        else await client.send(new DeleteCommand(primary as never));
      } else {
        await client.send(
          new TransactWriteCommand({ TransactItems: [{ [kind]: primary }, ...events.map((e) => ({ Put: historyPut(tableName, e) }))] as never }),
        );
      }
    } catch (err) {
      const name = errorName(err);
      if (name === "ConditionalCheckFailedException") throw await onConditionFailed();
      if (name === "TransactionCanceledException") {
        const codes = cancellationCodes(err);
        if (codes[0] === "ConditionalCheckFailed") throw await onConditionFailed();
        // Another transaction was writing the same record at that moment: someone else won.
        if (codes.includes("TransactionConflict")) throw new VersionConflictError(pk);
        if (codes.slice(1).includes("ConditionalCheckFailed")) throw new InfrastructureError(`DynamoDB ${operation}: history event id already used`, "DuplicateEventId", { cause: err });
      }
      throw toInfrastructureError(operation, err);
    }
  }

  async function queryBlocks(operation: string, input: Record<string, unknown>, pageLimit: number): Promise<Page<Block>> {
    let out;
    try {
      out = await client.send(new QueryCommand({ TableName: tableName, Limit: pageLimit, ...input }));
    } catch (err) {
      throw toInfrastructureError(operation, err);
    }
    const items: Block[] = [];
    for (const item of out.Items ?? []) {
      try {
        items.push(itemToBlock(item));
      } catch (err) {
        logger.warn(`Skipping unreadable block item ${String(item[PARTITION_KEY])}: ${(err as Error).message}`);
      }
    }
    return { items, cursor: encodeCursor(out.LastEvaluatedKey) };
  }

  return {
    get: (pk) => read(pk),

    list: async ({ limit, cursor }) =>
      queryBlocks(
        "Query(blocks)",
        {
          IndexName: BLOCKS_INDEX,
          KeyConditionExpression: "#t = :t",
          ExpressionAttributeNames: { "#t": ITEM_TYPE_ATTRIBUTE },
          ExpressionAttributeValues: { ":t": BLOCK_ITEM_TYPE },
          ExclusiveStartKey: decodeCursor(cursor, BlocksIndexCursor),
        },
        limit,
      ),

    findDue: async (now, { limit, cursor }) =>
      queryBlocks(
        "Query(due)",
        {
          IndexName: DUE_INDEX,
          KeyConditionExpression: "#d = :d AND #n <= :now",
          ExpressionAttributeNames: { "#d": DUE_ATTRIBUTE, "#n": DUE_SORT_KEY },
          ExpressionAttributeValues: { ":d": DUE_VALUE, ":now": canonicalInstant(now) },
          ExclusiveStartKey: decodeCursor(cursor, DueIndexCursor),
        },
        limit,
      ),

    findEndingBetween: async (from, to, { limit, cursor }) =>
      queryBlocks(
        "Query(ending)",
        {
          IndexName: ENDING_INDEX,
          KeyConditionExpression: "#t = :t AND #e BETWEEN :from AND :to",
          ExpressionAttributeNames: { "#t": ITEM_TYPE_ATTRIBUTE, "#e": ENDS_AT_ATTRIBUTE },
          ExpressionAttributeValues: { ":t": BLOCK_ITEM_TYPE, ":from": canonicalInstant(from), ":to": canonicalInstant(to) },
          ExclusiveStartKey: decodeCursor(cursor, EndingIndexCursor),
        },
        limit,
      ),

    async create(block, events = []) {
      const item = blockToItem(block);
      await write(
        "create",
        block.PK,
        { TableName: tableName, Item: item, ConditionExpression: "attribute_not_exists(#pk)", ExpressionAttributeNames: { "#pk": PARTITION_KEY } },
        "Put",
        events,
        async () => new AlreadyExistsError(block.PK),
      );
      return itemToBlock(item);
    },

    async update(next, expectedVersion, events = []) {
      const item = blockToItem({ ...next, version: expectedVersion + 1 });
      await write(
        "update",
        next.PK,
        {
          TableName: tableName,
          Item: item,
          ConditionExpression: "#v = :expected",
          ExpressionAttributeNames: { "#v": "version" },
          ExpressionAttributeValues: { ":expected": expectedVersion },
        },
        "Put",
        events,
        () => diagnose(next.PK, expectedVersion, false),
      );
      return itemToBlock(item);
    },

    async delete(pk, expectedVersion, events = []) {
      await write(
        "delete",
        pk,
        {
          TableName: tableName,
          Key: key(pk),
          // A purchase intent pins the record: deleting it would orphan money EC2 may already have taken.
          ConditionExpression: "#v = :expected AND (attribute_not_exists(#i) OR attribute_type(#i, :null))",
          ExpressionAttributeNames: { "#v": "version", "#i": "intent" },
          ExpressionAttributeValues: { ":expected": expectedVersion, ":null": "NULL" },
        },
        "Delete",
        events,
        () => diagnose(pk, expectedVersion, true),
      );
    },
  };
}
