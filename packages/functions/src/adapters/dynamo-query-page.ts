import { QueryCommand, type DynamoDBDocumentClient, type QueryCommandInput } from "@aws-sdk/lib-dynamodb";
import type { Page } from "@cbm/core";
import { encodeCursor } from "./dynamo-cursor";
import { toInfrastructureError } from "./dynamo-errors";
import { BLOCKS_INDEX, ITEM_TYPE_ATTRIBUTE, PARTITION_KEY } from "./dynamo-schema";

type Item = Record<string, unknown>;

export interface PageQuery<T> {
  client: DynamoDBDocumentClient;
  /** Named in the InfrastructureError a failed call becomes, e.g. `Query(due)`. */
  operation: string;
  input: QueryCommandInput;
  /** Reads one item; a throw skips it, reported through `unreadable`. */
  read: (item: Item) => T;
  unreadable: (item: Item, err: unknown) => void;
}

/**
 * One page of one DynamoDB query, the paging primitive every store shares: the cursor of the next page is the
 * encoded LastEvaluatedKey, and an item that no longer reads (an old or hand-edited record) is skipped and logged,
 * so one bad item never hides the rest of the list. Callers drain pages with platform/pages.ts.
 */
export async function queryPage<T>({ client, operation, input, read, unreadable }: PageQuery<T>): Promise<Page<T>> {
  let out;
  try {
    out = await client.send(new QueryCommand(input));
  } catch (err) {
    throw toInfrastructureError(operation, err);
  }
  const items: T[] = [];
  for (const item of out.Items ?? []) {
    try {
      items.push(read(item));
    } catch (err) {
      unreadable(item, err);
    }
  }
  return { items, cursor: encodeCursor(out.LastEvaluatedKey) };
}

/**
 * A store's query over its own table, one page at a time: the table name and page size filled in, and an unreadable
 * item logged by its key as a `kind` item (block, request) and skipped.
 */
export function tableQuery<T>(opts: {
  client: DynamoDBDocumentClient;
  tableName: string;
  kind: string;
  read: (item: Item) => T;
  logger: Pick<Console, "warn">;
}): (operation: string, input: Omit<QueryCommandInput, "TableName" | "Limit">, limit: number) => Promise<Page<T>> {
  const { client, tableName, kind, read, logger } = opts;
  return (operation, input, limit) =>
    queryPage({
      client,
      operation,
      input: { TableName: tableName, Limit: limit, ...input },
      read,
      unreadable: (item, err) => logger.warn(`Skipping unreadable ${kind} item ${String(item[PARTITION_KEY])}: ${(err as Error).message}`),
    });
}

/** A query for every item of one type (blocks, requests) in the index keyed by item type, from `exclusiveStartKey`. */
export function itemTypeQuery(itemType: string, exclusiveStartKey: QueryCommandInput["ExclusiveStartKey"]) {
  return {
    IndexName: BLOCKS_INDEX,
    KeyConditionExpression: "#t = :t",
    ExpressionAttributeNames: { "#t": ITEM_TYPE_ATTRIBUTE },
    ExpressionAttributeValues: { ":t": itemType },
    ExclusiveStartKey: exclusiveStartKey,
  };
}
