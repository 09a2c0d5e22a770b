import { DeleteCommand, PutCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { ReminderLog } from "@cbm/core";
import { errorName, toInfrastructureError } from "./dynamo-errors";
import { PARTITION_KEY, REMINDER_SK, reminderPk, SORT_KEY, TTL_ATTRIBUTE } from "./dynamo-schema";

/**
 * ReminderLog on the CBM table: one `REMIND#<key>` item per reminder sent, put only if absent, so concurrent ticks
 * (or a retried one) send each reminder once. A small in-memory set spares the conditional write for keys this
 * container already claimed, since the sweep sees a block ending within 7 days on every pass.
 */
export function createDynamoReminderLog({ client, tableName }: { client: DynamoDBDocumentClient; tableName: string }): ReminderLog {
  const known = new Set<string>();
  const key = (k: string) => ({ [PARTITION_KEY]: reminderPk(k), [SORT_KEY]: REMINDER_SK });
  return {
    async claim(k, expiresAt) {
      if (known.has(k)) return false;
      try {
        await client.send(
          new PutCommand({
            TableName: tableName,
            Item: { ...key(k), [TTL_ATTRIBUTE]: Math.ceil(Date.parse(expiresAt) / 1000) + 86_400 },
            ConditionExpression: "attribute_not_exists(#pk)",
            ExpressionAttributeNames: { "#pk": PARTITION_KEY },
          }),
        );
      } catch (err) {
        if (errorName(err) === "ConditionalCheckFailedException") {
          known.add(k);
          return false;
        }
        throw toInfrastructureError("PutItem(reminder)", err);
      }
      known.add(k);
      return true;
    },
    async release(k) {
      known.delete(k);
      try {
        await client.send(new DeleteCommand({ TableName: tableName, Key: key(k) }));
      } catch (err) {
        throw toInfrastructureError("DeleteItem(reminder)", err);
      }
    },
  };
}
