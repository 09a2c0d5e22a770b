import { InfrastructureError, ThrottledError } from "@cbm/core";
import { errorCode, isThrottle } from "./ec2-errors";

/**
 * A failed AWS call as CBM's infrastructure error, throttling as its own class, with the provider's code. The
 * message names the operation and the code only: SDK messages can echo request fields, and these calls carry keys.
 */
export function awsFailure(op: string, err: unknown): InfrastructureError {
  if (err instanceof InfrastructureError) return err;
  const code = errorCode(err);
  if (isThrottle(err)) return new ThrottledError(`${op} throttled (${code})`, code, { cause: err });
  return new InfrastructureError(`${op} failed (${code})`, code, { cause: err });
}
