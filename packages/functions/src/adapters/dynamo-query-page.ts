import { QueryCommand, type DynamoDBDocumentClient, type QueryCommandInput } from "@aws-sdk/lib-dynamodb";
import type { Page } from "@cbm/core";
import { encodeCursor } from "./dynamo-cursor";
import { toInfrastructureError } from "./dynamo-errors";

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
