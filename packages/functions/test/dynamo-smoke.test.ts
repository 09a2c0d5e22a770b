import { describe, expect, it, inject } from "vitest";
import { DynamoDBClient, ListTablesCommand } from "@aws-sdk/client-dynamodb";

describe("DynamoDB Local", () => {
  it("answers ListTables", async () => {
    const client = new DynamoDBClient({
      endpoint: inject("dynamoEndpoint"),
      region: "us-east-1",
      credentials: { accessKeyId: "AKIDLOCAL", secretAccessKey: "local" },
    });
    const out = await client.send(new ListTablesCommand({}));
    expect(Array.isArray(out.TableNames)).toBe(true);
  });
});
