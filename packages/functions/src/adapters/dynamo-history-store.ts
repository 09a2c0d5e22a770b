import { PutCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { HistoryEvent, InfrastructureError, type HistoryStore } from "@cbm/core";
import { HistoryCursor, decodeCursor, invalidCursor } from "./dynamo-cursor";
import { queryPage } from "./dynamo-query-page";
import { toInfrastructureError } from "./dynamo-errors";
import { HISTORY_SK_PREFIX, PARTITION_KEY, SORT_KEY } from "./dynamo-schema";

export interface DynamoHistoryOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
  logger?: Pick<Console, "warn">;
}

/** The Put of one history event: never overwrites (ids are unique), so history is append-only. */
export function historyPut(tableName: string, event: HistoryEvent) {
  const item = JSON.parse(JSON.stringify(event)) as Record<string, unknown>;
  return {
    TableName: tableName,
    Item: { ...item, [PARTITION_KEY]: event.PK, [SORT_KEY]: `${HISTORY_SK_PREFIX}${event.id}` },
    ConditionExpression: "attribute_not_exists(#sk)",
    ExpressionAttributeNames: { "#sk": SORT_KEY },
  };
}

/** The HistoryStore port: events live in their block's partition under `HIST#<id>`, ids are time-ordered. */
export function createDynamoHistoryStore({ client, tableName, logger = console }: DynamoHistoryOptions): HistoryStore {
  return {
    async append(events) {
      try {
        await Promise.all(events.map((e) => client.send(new PutCommand(historyPut(tableName, e)))));
      } catch (err) {
        if ((err as Error).name === "ConditionalCheckFailedException") {
          throw new InfrastructureError("DynamoDB append history: event id already used", "DuplicateEventId", { cause: err });
        }
        throw toInfrastructureError("append history", err);
      }
    },

    async list(pk, { limit, cursor }) {
      const start = decodeCursor(cursor, HistoryCursor);
      if (start && start.PK !== pk) throw invalidCursor();
      return queryPage({
        client,
        operation: "Query(history)",
        input: {
          TableName: tableName,
          KeyConditionExpression: "#pk = :pk AND begins_with(#sk, :prefix)",
          ExpressionAttributeNames: { "#pk": PARTITION_KEY, "#sk": SORT_KEY },
          ExpressionAttributeValues: { ":pk": pk, ":prefix": HISTORY_SK_PREFIX },
          ScanIndexForward: false,
          Limit: limit,
          ExclusiveStartKey: start,
        },
        read: (raw) => {
          const { [SORT_KEY]: _sk, ...rest } = raw;
          return HistoryEvent.parse(rest);
        },
        unreadable: (raw) => logger.warn(`Skipping unreadable history item ${String(raw[PARTITION_KEY])}/${String(raw[SORT_KEY])}`),
      });
    },
  };
}
