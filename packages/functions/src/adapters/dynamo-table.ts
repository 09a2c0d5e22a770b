import { CreateTableCommand, DescribeTableCommand, ResourceInUseException } from "@aws-sdk/client-dynamodb";
import { tableDefinition } from "./dynamo-schema";

/*
 * Creating the table, for local mode, tests and benches (in AWS the stack creates it). A file of its own that no
 * Lambda handler imports, with named imports: it once sat in dynamo-schema.ts behind `await import(...)`, and a
 * bundled dynamic import keeps the client's whole namespace, every command, schema and waiter (55 KB in each
 * handler's bundle).
 */

/** Minimal shape of a DynamoDB client: both DynamoDBClient and DynamoDBDocumentClient satisfy it. */
interface SendsCommands {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- accepts any SDK v3 client without importing its types here
  send(command: any): Promise<any>;
}

/** Creates the table (idempotent: an existing table is left alone) and waits until it is ACTIVE. */
export async function createTable(client: SendsCommands, tableName: string): Promise<void> {
  try {
    await client.send(new CreateTableCommand(tableDefinition(tableName)));
  } catch (err) {
    if (!(err instanceof ResourceInUseException)) throw err;
  }
  for (let attempt = 0; attempt < 100; attempt++) {
    const out = await client.send(new DescribeTableCommand({ TableName: tableName }));
    const indexesActive = (out.Table?.GlobalSecondaryIndexes ?? []).every((i: { IndexStatus?: string }) => i.IndexStatus === "ACTIVE");
    if (out.Table?.TableStatus === "ACTIVE" && indexesActive) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`Table ${tableName} did not become ACTIVE`);
}
