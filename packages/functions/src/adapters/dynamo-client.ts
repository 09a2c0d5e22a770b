import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { type CallLimits, DEFAULT_LIMITS, recordLimits, sdkClientConfig, withCallBudget } from "./call-limits";

export interface DocumentClientOptions {
  region?: string;
  /** DynamoDB Local in tests and local mode. */
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Timeouts, attempts and the budget of every call; DEFAULT_LIMITS when absent. */
  limits?: CallLimits;
}

/** Both views of one connection: the plain client (the idempotency store) and the document client (the stores). */
export interface DynamoClients {
  base: DynamoDBClient;
  doc: DynamoDBDocumentClient;
}

/** The DynamoDB clients of a composition root, built once; every call they make is bounded in time. */
export function createDynamoClients(opts: DocumentClientOptions = {}): DynamoClients {
  const limits = opts.limits ?? DEFAULT_LIMITS;
  const base = new DynamoDBClient({
    ...(opts.region ? { region: opts.region } : {}),
    ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
    ...(opts.credentials ? { credentials: opts.credentials } : {}),
    ...sdkClientConfig(limits),
  });
  const doc = DynamoDBDocumentClient.from(base, { marshallOptions: { removeUndefinedValues: true } });
  // The document client has its own send(), so each view gets the budget; they share the connection and its timeouts.
  return {
    base: recordLimits(withCallBudget(base, limits.budgetMs), limits),
    doc: recordLimits(withCallBudget(doc, limits.budgetMs), limits),
  };
}

/** The document client every Dynamo adapter takes; built once per composition root. */
export function createDocumentClient(opts: DocumentClientOptions = {}): DynamoDBDocumentClient {
  return createDynamoClients(opts).doc;
}
