/*
 * Time limits for every AWS SDK client CBM builds (DynamoDB, SNS, Secrets Manager; EC2 has its own in
 * ec2-capacity-provider.ts). Without them a stalled dependency holds a request until API Gateway gives up at 29 s,
 * and the SDK's default retries multiply the wait. A call that runs out of time may still take effect on the
 * server later: the API answers 503 DEPENDENCY_UNAVAILABLE, and clients retry writes with the same Idempotency-Key.
 */

/** How long one SDK call may take, all attempts included. */
export interface CallLimits {
  /** TCP connect; a refused or black-holed endpoint fails this fast. */
  connectionTimeoutMs: number;
  /** One attempt, from sending the request to the response headers. */
  requestTimeoutMs: number;
  /** SDK attempts per call (1 = no retries). */
  maxAttempts: number;
  /** The whole call, retries and backoff included: the SDK call is aborted when it runs out. */
  budgetMs: number;
}

/**
 * The API: a client waits for the answer, so a stalled dependency must turn into a 503 within about 3 s. A request
 * makes at most two calls after a stall begins (the failed one, then removing its idempotency record), so each
 * gets 1.25 s. DynamoDB answers in milliseconds: the second attempt is for fast failures (a reset connection, a
 * 500), which come back at once, not for a second long wait.
 */
export const API_DYNAMO_LIMITS: CallLimits = { connectionTimeoutMs: 500, requestTimeoutMs: 1_000, maxAttempts: 2, budgetMs: 1_250 };
/** The API key is cached for minutes, so this call is rare; it gets the same bound as DynamoDB. */
export const API_SECRETS_LIMITS: CallLimits = { connectionTimeoutMs: 500, requestTimeoutMs: 1_000, maxAttempts: 2, budgetMs: 1_250 };
/** The tick has 40 s of work time: a stalled read of the due blocks ends the tick after 3 s; the next minute retries. */
export const TICK_DYNAMO_LIMITS: CallLimits = { connectionTimeoutMs: 1_000, requestTimeoutMs: 2_000, maxAttempts: 3, budgetMs: 3_000 };
/** A notice is worth a little patience, but a stalled SNS must not eat the tick: one retry, 5 s in all. */
export const SNS_LIMITS: CallLimits = { connectionTimeoutMs: 1_000, requestTimeoutMs: 3_000, maxAttempts: 2, budgetMs: 5_000 };
/**
 * Usage sampling (DescribeCapacityReservations, DescribeCapacityBlockStatus) is best effort and runs after the
 * request worker in the same invocation: one retry, 5 s per call, and a stalled EC2 costs the run one sample.
 */
export const EC2_USAGE_LIMITS: CallLimits = { connectionTimeoutMs: 1_000, requestTimeoutMs: 3_000, maxAttempts: 2, budgetMs: 5_000 };
/**
 * Clients built without a profile: setup only (creating the table, test fixtures), never CBM's own calls, which
 * take their function's profile in composition/safety.ts. Still bounded, but loose enough for DynamoDB Local on a
 * busy laptop, whose first calls after start are slow.
 */
export const DEFAULT_LIMITS: CallLimits = { connectionTimeoutMs: 2_000, requestTimeoutMs: 5_000, maxAttempts: 3, budgetMs: 10_000 };

const builtWith = new WeakMap<object, CallLimits>();

/**
 * Remembers the limits `client` was built with, so that a composition reports what it actually built
 * (composition/safety.ts) instead of restating a table. Returns the same client.
 */
export function recordLimits<C extends object>(client: C, limits: CallLimits): C {
  builtWith.set(client, limits);
  return client;
}

/** The limits `client` was built with; undefined for a client built without them (unbounded). */
export function limitsOf(client: object): CallLimits | undefined {
  return builtWith.get(client);
}

/** The SDK client configuration for `limits`: attempts and the NodeHttpHandler's timeouts. */
export function sdkClientConfig(limits: CallLimits) {
  return {
    maxAttempts: limits.maxAttempts,
    // Without throwOnRequestTimeout the handler only logs a warning when requestTimeout passes.
    requestHandler: { connectionTimeout: limits.connectionTimeoutMs, requestTimeout: limits.requestTimeoutMs, throwOnRequestTimeout: true },
  };
}

interface SendOptions {
  abortSignal?: AbortSignal;
}

/** Anything with an SDK v3 `send(command, options)`. */
interface Sends {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- SDK clients overload send per command; any client must fit
  send(command: any, options?: any): Promise<any>;
}

/**
 * Gives every call of `client` at most `budgetMs`, retries included: the SDK's abort signal ends the socket and the
 * retry loop, which timeouts per attempt cannot. A caller's own signal still applies. Returns the same client.
 */
export function withCallBudget<C extends Sends>(client: C, budgetMs: number): C {
  const send = client.send.bind(client);
  client.send = ((command: unknown, options?: SendOptions) => {
    const budget = AbortSignal.timeout(budgetMs);
    const abortSignal = options?.abortSignal ? AbortSignal.any([options.abortSignal, budget]) : budget;
    return send(command, { ...options, abortSignal });
  }) as C["send"];
  return client;
}
