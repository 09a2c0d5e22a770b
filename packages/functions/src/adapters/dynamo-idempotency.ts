import { createHash } from "node:crypto";
import { DeleteItemCommand, GetItemCommand, PutItemCommand, UpdateItemCommand, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { IdempotencyInProgressError, IdempotencyKeyReusedError } from "../platform/errors";
import type { IdempotencyStore } from "../platform/ports/idempotency";
import { errorName, toInfrastructureError } from "./dynamo-errors";
import { IDEMPOTENCY_EXPIRY_ATTRIBUTE, IDEMPOTENCY_PK, PARTITION_KEY, SORT_KEY } from "./dynamo-schema";

/*
 * Why not Powertools' idempotency utility, which this replaced: it brought 39 KB into the API bundle (its jmespath
 * engine alone 24 KB, for key paths this API never needs), taking the API Lambda to 509.5 KB against its 500 KB
 * budget (`npm run bench -- bundles`). This is the same protocol on the same item shape, in one table: an
 * IN_PROGRESS record written conditionally (one winner), the outcome stored as COMPLETED, the record removed when
 * the work fails so the key may try again, and a TTL (`expiration`, epoch seconds) that DynamoDB expires.
 */

export interface DynamoIdempotencyOptions {
  /** The plain client; bounded like the stores' (createDynamoClients). */
  client: DynamoDBClient;
  tableName: string;
  /** How long a key is remembered. Default 24 h. */
  expiresAfterSeconds?: number;
  /**
   * How long a first request may run before a repeat may run again instead of getting 409. Longer than the API
   * Lambda's timeout (10 s), so it never overlaps a request that is still running. Default 15 s.
   */
  inProgressMs?: number;
  /** Epoch milliseconds; tests move it. */
  now?: () => number;
}

const sha256 = (s: string) => createHash("sha256").update(s, "utf8").digest("base64url");

/** IdempotencyStore in CBM's table, under `IDEMPOTENCY_PK`, one item per (hashed) scoped key. */
export function createDynamoIdempotency<R>(opts: DynamoIdempotencyOptions): IdempotencyStore<R> {
  const { client, tableName } = opts;
  const ttlSeconds = opts.expiresAfterSeconds ?? 24 * 60 * 60;
  const inProgressMs = opts.inProgressMs ?? 15_000;
  const now = opts.now ?? Date.now;

  async function send<T>(operation: string, command: object): Promise<T> {
    try {
      return (await client.send(command as never)) as T;
    } catch (err) {
      if (errorName(err) === "ConditionalCheckFailedException") throw err;
      throw toInfrastructureError(operation, err);
    }
  }

  return {
    async once(scopedKey, request, execute) {
      const Key = { [PARTITION_KEY]: { S: IDEMPOTENCY_PK }, [SORT_KEY]: { S: sha256(scopedKey) } };
      const requestHash = sha256(JSON.stringify(request ?? null));
      const t = now();
      try {
        // One winner: a fresh key, an expired record, or an in-progress record whose runner must have died.
        await send(
          "PutItem(idempotency)",
          new PutItemCommand({
            TableName: tableName,
            Item: {
              ...Key,
              status: { S: "IN_PROGRESS" },
              requestHash: { S: requestHash },
              inProgressUntil: { N: String(t + inProgressMs) },
              [IDEMPOTENCY_EXPIRY_ATTRIBUTE]: { N: String(Math.floor(t / 1000) + ttlSeconds) },
            },
            ConditionExpression: "attribute_not_exists(#pk) OR #exp < :nowS OR (#st = :inProgress AND #until < :nowMs)",
            ExpressionAttributeNames: {
              "#pk": PARTITION_KEY,
              "#exp": IDEMPOTENCY_EXPIRY_ATTRIBUTE,
              "#st": "status",
              "#until": "inProgressUntil",
            },
            ExpressionAttributeValues: {
              ":nowS": { N: String(Math.floor(t / 1000)) },
              ":nowMs": { N: String(t) },
              ":inProgress": { S: "IN_PROGRESS" },
            },
          }),
        );
      } catch (err) {
        if (errorName(err) !== "ConditionalCheckFailedException") throw err;
        return { result: await storedOutcome(Key, requestHash), replayed: true };
      }
      let result: R;
      try {
        result = await execute();
      } catch (err) {
        // Nothing happened that a retry must not repeat: the key is free again.
        await send("DeleteItem(idempotency)", new DeleteItemCommand({ TableName: tableName, Key })).catch(() => undefined);
        throw err;
      }
      // If this write fails the answer still goes out; a retry meets IN_PROGRESS until it expires, as in Powertools.
      await send(
        "UpdateItem(idempotency)",
        new UpdateItemCommand({
          TableName: tableName,
          Key,
          UpdateExpression: "SET #st = :done, #res = :res",
          ExpressionAttributeNames: { "#st": "status", "#res": "result" },
          ExpressionAttributeValues: { ":done": { S: "COMPLETED" }, ":res": { S: JSON.stringify(result) } },
        }),
      ).catch(() => undefined);
      return { result, replayed: false };
    },
  };

  /** The record that won: the first response (same request), or why there is none to give. */
  async function storedOutcome(Key: Record<string, { S: string }>, requestHash: string): Promise<R> {
    const out = await send<{ Item?: Record<string, { S?: string }> }>(
      "GetItem(idempotency)",
      new GetItemCommand({ TableName: tableName, Key, ConsistentRead: true }),
    );
    const item = out.Item;
    // Gone between the two calls (the first run failed and freed the key): the client retries in a moment.
    if (!item) throw new IdempotencyInProgressError();
    if (item.requestHash?.S !== requestHash) throw new IdempotencyKeyReusedError();
    if (item.status?.S !== "COMPLETED" || item.result?.S === undefined) throw new IdempotencyInProgressError();
    return JSON.parse(item.result.S) as R;
  }
}
