import {
  IdempotencyAlreadyInProgressError,
  IdempotencyConfig,
  IdempotencyInconsistentStateError,
  IdempotencyItemNotFoundError,
  IdempotencyPersistenceLayerError,
  IdempotencyValidationError,
  makeIdempotent,
} from "@aws-lambda-powertools/idempotency";
import { DynamoDBPersistenceLayer } from "@aws-lambda-powertools/idempotency/dynamodb";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { Context } from "aws-lambda";
import { InfrastructureError } from "@cbm/core";
import { IdempotencyInProgressError, IdempotencyKeyReusedError } from "../errors";
import type { IdempotencyStore } from "../http/idempotency";
import type { ApiResult } from "../http/types";
import { IDEMPOTENCY_EXPIRY_ATTRIBUTE, IDEMPOTENCY_PK, PARTITION_KEY, SORT_KEY } from "./dynamo-schema";

export interface DynamoIdempotencyOptions {
  /** The plain client (Powertools marshals itself); bounded like the stores' (createDynamoClients). */
  client: DynamoDBClient;
  tableName: string;
  /** How long a key is remembered. Default 24 h. */
  expiresAfterSeconds?: number;
  /**
   * How long a first request may run before a repeat may run again instead of getting 409. Longer than the API
   * Lambda's timeout (10 s), so it never overlaps a request that is still running. Default 15 s.
   */
  inProgressMs?: number;
}

/** What Powertools hashes and stores: the key, the request to compare, and a way to run it (never serialized). */
interface Call {
  key: string;
  request: unknown;
  execute: () => Promise<ApiResult>;
}

type Outcome = { result: ApiResult; replayed: boolean };

/** IdempotencyStore over Powertools' DynamoDB persistence layer, in CBM's table (see IDEMPOTENCY_PK). */
export function createDynamoIdempotency(opts: DynamoIdempotencyOptions): IdempotencyStore {
  const inProgressMs = opts.inProgressMs ?? 15_000;
  const persistenceStore = new DynamoDBPersistenceLayer({
    tableName: opts.tableName,
    awsSdkV3Client: opts.client,
    keyAttr: PARTITION_KEY,
    sortKeyAttr: SORT_KEY,
    staticPkValue: IDEMPOTENCY_PK,
    expiryAttr: IDEMPOTENCY_EXPIRY_ATTRIBUTE,
  });
  const config = new IdempotencyConfig({
    eventKeyJmesPath: "key",
    payloadValidationJmesPath: "request",
    throwOnNoIdempotencyKey: true,
    expiresAfterSeconds: opts.expiresAfterSeconds ?? 24 * 60 * 60,
    // Clients choose keys; a collision-resistant hash keeps one client's key from landing on another's record.
    hashFunction: "sha256",
    // Powertools reads the in-progress expiry from the Lambda context; a fixed one also serves local mode.
    lambdaContext: { getRemainingTimeInMillis: () => inProgressMs } as Context,
    // Only a replay passes through the hook: it marks the stored outcome as one.
    responseHook: (stored) => ({ ...(stored as object), replayed: true }),
  });
  // keyPrefix fixes the stored key's prefix, which otherwise follows the Lambda function's (deploy-specific) name.
  const run = makeIdempotent(async (call: Call): Promise<Outcome> => ({ result: await call.execute(), replayed: false }), {
    persistenceStore,
    config,
    keyPrefix: "cbm-api",
  });

  return {
    async once(key, request, execute) {
      try {
        return (await run({ key, request, execute })) as Outcome;
      } catch (err) {
        throw translate(err);
      }
    },
  };
}

/** Powertools' errors as CBM's typed errors; errors of `execute` itself pass through unchanged. */
function translate(err: unknown): unknown {
  if (err instanceof IdempotencyValidationError) return new IdempotencyKeyReusedError({ cause: err });
  // The record changed under us (just expired, or finished and vanished): the client retries in a moment.
  if (err instanceof IdempotencyAlreadyInProgressError || err instanceof IdempotencyInconsistentStateError || err instanceof IdempotencyItemNotFoundError) {
    return new IdempotencyInProgressError({ cause: err });
  }
  if (err instanceof IdempotencyPersistenceLayerError) {
    const cause = err.cause instanceof Error ? err.cause : undefined;
    return new InfrastructureError(`Idempotency store failed: ${err.message}`, cause?.name ?? "IdempotencyPersistenceLayerError", { cause: err });
  }
  return err;
}
