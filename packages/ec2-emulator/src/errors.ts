/** Base of every error the emulator raises on purpose; `code` is stable and is what callers match on. */
export class EmulatorError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/**
 * An EC2 API error: rendered as the `<Response><Errors>` envelope with `status`.
 * Thrown by operations for bad input or an ineligible request; the server maps it to HTTP in one place.
 */
export class Ec2Error extends EmulatorError {
  readonly status: number;
  constructor(code: string, message: string, status = statusForCode(code)) {
    super(code, message);
    this.status = status;
  }
}

/** A misuse of the control API (bad seed spec, unknown fault kind …): JSON 400 over HTTP, thrown in-process. */
export class ControlError extends EmulatorError {}

const STATUS_BY_CODE: Record<string, number> = {
  DryRunOperation: 412,
  UnauthorizedOperation: 403,
  AuthFailure: 401,
  RequestLimitExceeded: 503,
  ServiceUnavailable: 503,
  Unavailable: 503,
  InternalError: 500,
  InternalFailure: 500,
  RequestEntityTooLarge: 413,
  MethodNotAllowed: 405,
};

/** EC2 answers almost every client error with 400; the exceptions are listed in the reference table (§1.12). */
export function statusForCode(code: string): number {
  return STATUS_BY_CODE[code] ?? 400;
}

/** Shorthands for the validation errors every operation raises. */
export const invalidValue = (message: string) => new Ec2Error("InvalidParameterValue", message);
export const missingParameter = (name: string) => new Ec2Error("MissingParameter", `The request must contain the parameter ${name}`);

/**
 * The state file given with `stateFile` cannot be read or written. Reading fails loudly instead of starting an empty
 * world: forgetting a purchase that EC2 (here, the emulator) committed is exactly what a restart must not do.
 */
export class StateFileError extends EmulatorError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("StateFileError", message, options);
  }
}
