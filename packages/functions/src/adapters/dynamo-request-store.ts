import { GetCommand, PutCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import {
  AlreadyExistsError,
  CapacityRequest,
  InfrastructureError,
  NotFoundError,
  VersionConflictError,
  type RequestStore,
} from "@cbm/core";
import { createNamedRequest, readNameHolder } from "./dynamo-request-names";
import * as z from "zod";
import { decodeCursor } from "./dynamo-cursor";
import { itemTypeQuery, tableQuery } from "./dynamo-query-page";
import { errorName, toInfrastructureError } from "./dynamo-errors";
import { DUE_ATTRIBUTE, DUE_INDEX, DUE_SORT_KEY, ITEM_TYPE_ATTRIBUTE, PARTITION_KEY, SORT_KEY } from "./dynamo-schema";

/*
 * Capacity requests in the same table, without changing its definition:
 * - PK `REQ#<id>`, SK `REQUEST`: `#` never occurs in a block's PK, so a request can never collide with a block.
 * - itemType `request`: its own partition of the `blocks` index (the block list reads itemType = block only), so
 *   requests are listed without a scan and never appear among blocks. No `endsAt`, so the `ending` index skips them.
 * - due `request-due` + nextCheckAt: its own partition of the sparse `due` index (the block tick reads due = due
 *   only), so the request worker finds what is due without a scan, and the block tick never sees a request.
 * - a named request also has a `REQNAME#<name>` item (dynamo-request-names.ts), written in its create's transaction.
 */
export const REQUEST_PK_PREFIX = "REQ#";
export const REQUEST_SK = "REQUEST";
export const REQUEST_ITEM_TYPE = "request";
export const REQUEST_DUE_VALUE = "request-due";

const keyString = z.string().min(1).max(1024);
const RequestsIndexCursor = z.object({ PK: keyString, SK: keyString, itemType: z.literal(REQUEST_ITEM_TYPE) }).strict();

type Item = Record<string, unknown>;

export function requestPk(id: string): string {
  return `${REQUEST_PK_PREFIX}${id}`;
}

export function requestToItem(r: CapacityRequest): Item {
  const plain = JSON.parse(JSON.stringify(r)) as CapacityRequest;
  const { nextCheckAt, ...rest } = plain;
  const item: Item = { ...rest, [PARTITION_KEY]: requestPk(r.id), [SORT_KEY]: REQUEST_SK, [ITEM_TYPE_ATTRIBUTE]: REQUEST_ITEM_TYPE };
  if (nextCheckAt) {
    item[DUE_ATTRIBUTE] = REQUEST_DUE_VALUE;
    item[DUE_SORT_KEY] = new Date(nextCheckAt).toISOString();
  }
  return item;
}

export function itemToRequest(item: Item): CapacityRequest {
  const { [PARTITION_KEY]: _pk, [SORT_KEY]: _sk, [ITEM_TYPE_ATTRIBUTE]: _t, [DUE_ATTRIBUTE]: _d, [DUE_SORT_KEY]: next, ...rest } = item;
  const parsed = CapacityRequest.safeParse({ ...rest, ...(typeof next === "string" ? { nextCheckAt: next } : {}) });
  if (!parsed.success)
    throw new InfrastructureError(`Stored request '${String(item[PARTITION_KEY])}' does not match its schema`, "InvalidStoredItem");
  return parsed.data;
}

export interface DynamoRequestStoreOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
  logger?: Pick<Console, "warn">;
}

/** The RequestStore port on CBM's table; every write is conditional on the version read. */
export function createDynamoRequestStore({ client, tableName, logger = console }: DynamoRequestStoreOptions): RequestStore {
  const key = (id: string) => ({ [PARTITION_KEY]: requestPk(id), [SORT_KEY]: REQUEST_SK });

  async function get(id: string): Promise<CapacityRequest | undefined> {
    let out;
    try {
      out = await client.send(new GetCommand({ TableName: tableName, Key: key(id), ConsistentRead: true }));
    } catch (err) {
      throw toInfrastructureError("GetItem(request)", err);
    }
    return out.Item ? itemToRequest(out.Item) : undefined;
  }

  const query = tableQuery({ client, tableName, kind: "request", read: itemToRequest, logger });

  return {
    get,
    list: ({ limit, cursor }) =>
      query("Query(requests)", itemTypeQuery(REQUEST_ITEM_TYPE, decodeCursor(cursor, RequestsIndexCursor)), limit),

    async findDue(now, { limit }) {
      const page = await query(
        "Query(due requests)",
        {
          IndexName: DUE_INDEX,
          KeyConditionExpression: "#d = :d AND #n <= :now",
          ExpressionAttributeNames: { "#d": DUE_ATTRIBUTE, "#n": DUE_SORT_KEY },
          ExpressionAttributeValues: { ":d": REQUEST_DUE_VALUE, ":now": new Date(now).toISOString() },
        },
        limit,
      );
      return page.items;
    },

    findByName: async (name) => {
      const id = await readNameHolder(client, tableName, name);
      return id ? get(id) : undefined;
    },

    async create(request) {
      if (request.name) return createNamedRequest({ client, tableName, get }, request, requestToItem(request));
      try {
        await client.send(
          new PutCommand({
            TableName: tableName,
            Item: requestToItem(request),
            ConditionExpression: "attribute_not_exists(#pk)",
            ExpressionAttributeNames: { "#pk": PARTITION_KEY },
          }),
        );
      } catch (err) {
        if (errorName(err) === "ConditionalCheckFailedException") throw new AlreadyExistsError(request.id);
        throw toInfrastructureError("PutItem(request)", err);
      }
      return request;
    },

    async update(next, expectedVersion) {
      const stored = { ...next, version: expectedVersion + 1 };
      try {
        await client.send(
          new PutCommand({
            TableName: tableName,
            Item: requestToItem(stored),
            ConditionExpression: "#v = :expected",
            ExpressionAttributeNames: { "#v": "version" },
            ExpressionAttributeValues: { ":expected": expectedVersion },
          }),
        );
      } catch (err) {
        if (errorName(err) !== "ConditionalCheckFailedException") throw toInfrastructureError("PutItem(request)", err);
        throw (await get(next.id)) ? new VersionConflictError(next.id, expectedVersion) : new NotFoundError(next.id);
      }
      return stored;
    },
  };
}
