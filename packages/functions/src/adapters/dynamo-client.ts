import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";

export interface DocumentClientOptions {
  region?: string;
  /** DynamoDB Local in tests and local mode. */
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

/** The document client every Dynamo adapter takes; built once per composition root. */
export function createDocumentClient(opts: DocumentClientOptions = {}): DynamoDBDocumentClient {
  const base = new DynamoDBClient({
    ...(opts.region ? { region: opts.region } : {}),
    ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
    ...(opts.credentials ? { credentials: opts.credentials } : {}),
  });
  return DynamoDBDocumentClient.from(base, { marshallOptions: { removeUndefinedValues: true } });
}
