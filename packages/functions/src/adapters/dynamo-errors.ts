import { InfrastructureError, ThrottledError } from "@cbm/core";

const THROTTLE_NAMES = new Set([
  "ProvisionedThroughputExceededException",
  "ThrottlingException",
  "RequestLimitExceeded",
  "LimitExceededException",
]);

/** Wraps a DynamoDB failure that is not a condition outcome; the SDK's message is kept out of API responses. */
export function toInfrastructureError(operation: string, err: unknown): InfrastructureError {
  if (err instanceof InfrastructureError) return err;
  const name = err instanceof Error ? err.name : "UnknownError";
  const message = `DynamoDB ${operation} failed (${name})`;
  return THROTTLE_NAMES.has(name)
    ? new ThrottledError(message, name, { cause: err })
    : new InfrastructureError(message, name, { cause: err });
}

export function errorName(err: unknown): string | undefined {
  return err instanceof Error ? err.name : undefined;
}

/** Cancellation reason codes of a TransactionCanceledException, in the order of the transaction's items. */
export function cancellationCodes(err: unknown): (string | undefined)[] {
  const reasons = (err as { CancellationReasons?: { Code?: string }[] }).CancellationReasons;
  return Array.isArray(reasons) ? reasons.map((r) => r?.Code) : [];
}
