import { createHash } from "node:crypto";
import { DeleteCommand, GetCommand, PutCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { InfrastructureError } from "@cbm/core";
import type { SessionStore, StoredSession } from "../platform/ports/session-store";
import { toInfrastructureError } from "./dynamo-errors";
import { PARTITION_KEY, SESSION_PK, SORT_KEY, TTL_ATTRIBUTE } from "./dynamo-schema";

/** The sort key of a session: a hash of its id, so the table never holds a value a browser could present. */
function sessionSk(id: string): string {
  return createHash("sha256").update(`cbm-session:${id}`).digest("base64url");
}

function toSession(item: Record<string, unknown>): StoredSession {
  const { actor, createdAt, lastSeenAt, keyFingerprint } = item;
  if (typeof actor !== "string" || typeof createdAt !== "number" || typeof lastSeenAt !== "number" || typeof keyFingerprint !== "string")
    throw new InfrastructureError("Stored console session does not match its schema", "InvalidStoredItem");
  return { actor, createdAt, lastSeenAt, keyFingerprint };
}

/**
 * SessionStore on the CBM table: one partition `SESSION#console` (a handful of people use the console), one item per
 * session keyed by the hash of its id, removed by the table's TTL once expired. Key rotation needs no sweep here: a
 * session records which key opened it, and one opened with another key is refused and deleted on its next use.
 */
export function createDynamoSessionStore({ client, tableName }: { client: DynamoDBDocumentClient; tableName: string }): SessionStore {
  const key = (id: string) => ({ [PARTITION_KEY]: SESSION_PK, [SORT_KEY]: sessionSk(id) });
  return {
    async put(id, session, expiresAt) {
      try {
        await client.send(
          new PutCommand({ TableName: tableName, Item: { ...key(id), ...session, [TTL_ATTRIBUTE]: Math.ceil(expiresAt / 1000) } }),
        );
      } catch (err) {
        throw toInfrastructureError("PutItem(session)", err);
      }
    },
    async get(id) {
      try {
        const out = await client.send(new GetCommand({ TableName: tableName, Key: key(id), ConsistentRead: true }));
        return out.Item ? toSession(out.Item) : undefined;
      } catch (err) {
        if (err instanceof InfrastructureError) throw err;
        throw toInfrastructureError("GetItem(session)", err);
      }
    },
    async delete(id) {
      try {
        await client.send(new DeleteCommand({ TableName: tableName, Key: key(id) }));
      } catch (err) {
        throw toInfrastructureError("DeleteItem(session)", err);
      }
    },
  };
}
