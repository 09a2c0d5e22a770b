/**
 * What the API needs of an idempotency store, for results of type R (a JSON value). Implemented on DynamoDB in
 * adapters/dynamo-idempotency.ts; the port lives here, below both, so the adapter needs nothing of http.
 * `once` runs `execute` at most once per `key` while the key lives: a repeat with the same `request` gets the first
 * result back with `replayed: true`; with another `request` it throws IdempotencyKeyReusedError; while the first
 * still runs, IdempotencyInProgressError. A failed `execute` stores nothing, so the same key may try again.
 */
export interface IdempotencyStore<R> {
  once(key: string, request: unknown, execute: () => Promise<R>): Promise<{ result: R; replayed: boolean }>;
}
