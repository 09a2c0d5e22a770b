import { GetCommand, TransactWriteCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import {
  LinkUse,
  LinkUsedError,
  NotFoundError,
  VersionConflictError,
  InfrastructureError,
  type Block,
  type CapacityRequest,
  type HistoryEvent,
  type LinkUseStore,
  type LinkWrite,
} from "@cbm/core";
import { blockToItem, itemToBlock, sameRegistration } from "./dynamo-block-store";
import { requestToItem } from "./dynamo-request-store";
import { cancellationCodes, errorName, toInfrastructureError } from "./dynamo-errors";
import { historyPut } from "./dynamo-history-store";
import { BLOCK_SK, LINK_SK, linkPk, PARTITION_KEY, SORT_KEY, TTL_ATTRIBUTE } from "./dynamo-schema";

export interface DynamoLinkStoreOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
}

/**
 * LinkUseStore on the CBM table: the verdict (block record and history events) and the `LINK#<token id>` record go
 * in one TransactWriteItems, the latter conditional on not existing, so two submissions of one link (a double
 * click, a replayed form) can never both act.
 */
export function createDynamoLinkStore({ client, tableName }: DynamoLinkStoreOptions): LinkUseStore {
  const useKey = (tokenId: string) => ({ [PARTITION_KEY]: linkPk(tokenId), [SORT_KEY]: LINK_SK });

  async function findUse(tokenId: string): Promise<LinkUse | undefined> {
    let out;
    try {
      out = await client.send(new GetCommand({ TableName: tableName, Key: useKey(tokenId), ConsistentRead: true }));
    } catch (err) {
      throw toInfrastructureError("GetItem(link)", err);
    }
    if (!out.Item) return undefined;
    const { [PARTITION_KEY]: _pk, [SORT_KEY]: _sk, [TTL_ATTRIBUTE]: _ttl, ...rest } = out.Item;
    const parsed = LinkUse.safeParse(rest);
    if (!parsed.success) throw new InfrastructureError(`Stored link use '${tokenId}' does not match its schema`, "InvalidStoredItem");
    return parsed.data;
  }

  async function diagnose(next: Block, expectedVersion: number): Promise<Error> {
    let out;
    try {
      out = await client.send(
        new GetCommand({ TableName: tableName, Key: { [PARTITION_KEY]: next.PK, [SORT_KEY]: BLOCK_SK }, ConsistentRead: true }),
      );
    } catch (err) {
      throw toInfrastructureError("GetItem", err);
    }
    if (!out.Item) return new NotFoundError(next.PK);
    const current = itemToBlock(out.Item);
    return new VersionConflictError(next.PK, current.registrationId === next.registrationId ? expectedVersion : undefined);
  }

  /** The subject's conditional put and the `LINK#` record (only if absent) in one transaction: a link acts once. */
  async function writeWithUse(put: Record<string, unknown>, more: unknown[], use: LinkUse, onStale: () => Promise<Error>): Promise<void> {
    const useItem = { ...use, ...useKey(use.tokenId), [TTL_ATTRIBUTE]: Math.ceil(Date.parse(use.expiresAt) / 1000) + 7 * 86_400 };
    try {
      await client.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: put },
            {
              Put: {
                TableName: tableName,
                Item: useItem,
                ConditionExpression: "attribute_not_exists(#pk)",
                ExpressionAttributeNames: { "#pk": PARTITION_KEY },
              },
            },
            ...more,
          ] as never,
        }),
      );
    } catch (err) {
      if (errorName(err) === "TransactionCanceledException") {
        const codes = cancellationCodes(err);
        if (codes[1] === "ConditionalCheckFailed") throw new LinkUsedError(use.tokenId);
        if (codes[0] === "ConditionalCheckFailed") throw await onStale();
        if (codes.includes("TransactionConflict"))
          throw new VersionConflictError(String((put.Item as Record<string, unknown>)[PARTITION_KEY]));
      }
      throw toInfrastructureError("TransactWriteItems(link)", err);
    }
  }

  async function updateBlock(next: Block, expectedVersion: number, events: HistoryEvent[], use: LinkUse): Promise<Block> {
    const item = blockToItem({ ...next, version: expectedVersion + 1 });
    await writeWithUse(
      { TableName: tableName, Item: item, ...sameRegistration(next.registrationId, expectedVersion) },
      events.map((e) => ({ Put: historyPut(tableName, e) })),
      use,
      () => diagnose(next, expectedVersion),
    );
    return itemToBlock(item);
  }

  async function updateRequest(next: CapacityRequest, expectedVersion: number, use: LinkUse): Promise<CapacityRequest> {
    const stored = { ...next, version: expectedVersion + 1 };
    await writeWithUse(
      {
        TableName: tableName,
        Item: requestToItem(stored),
        ConditionExpression: "#v = :expected",
        ExpressionAttributeNames: { "#v": "version" },
        ExpressionAttributeValues: { ":expected": expectedVersion },
      },
      [],
      use,
      async () => new VersionConflictError(next.id, expectedVersion),
    );
    return stored;
  }

  return {
    findUse,
    updateUsingLink<W extends LinkWrite>(write: W, use: LinkUse): Promise<W["next"]> {
      const w: LinkWrite = write;
      return w.subject === "block" ? updateBlock(w.next, w.expectedVersion, w.events, use) : updateRequest(w.next, w.expectedVersion, use);
    },
  };
}
