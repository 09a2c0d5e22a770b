import { randomUUID } from "node:crypto";
import { inject } from "vitest";
import { createDynamoClients } from "../../src/adapters/dynamo-client";
import { createTable } from "../../src/adapters/dynamo-table";

/** A fresh, uniquely named table on the run's DynamoDB Local, and a document client (and its plain client) for it. */
export async function freshTable(prefix: string) {
  const { doc: client, base } = createDynamoClients({
    endpoint: inject("dynamoEndpoint"),
    region: "us-east-1",
    credentials: { accessKeyId: "AKIDLOCAL", secretAccessKey: "local" },
  });
  const tableName = `${prefix}-${randomUUID().slice(0, 8)}`;
  await createTable(client, tableName);
  return { client, base, tableName };
}
