import { CbmError } from "@cbm/core";

/*
 * Errors of the HTTP edge: the request itself is unusable before any use case runs. Domain and infrastructure
 * errors come from @cbm/core; http/error-mapper.ts is the only place that turns any of them into a status code.
 */

/** Missing or wrong API key. The response is API Gateway's own `{"message":"Forbidden"}`. */
export class ForbiddenError extends CbmError {
  readonly code = "FORBIDDEN";
  constructor() {
    super("Forbidden");
  }
}

export class InvalidJsonError extends CbmError {
  readonly code = "INVALID_JSON";
  constructor(options?: { cause?: unknown }) {
    super("Request body is not valid JSON", options);
  }
}

export class PayloadTooLargeError extends CbmError {
  readonly code = "PAYLOAD_TOO_LARGE";
  constructor(readonly limitBytes: number) {
    super(`Request body exceeds ${limitBytes} bytes`);
  }
}

export class UnsupportedMediaTypeError extends CbmError {
  readonly code = "UNSUPPORTED_MEDIA_TYPE";
  constructor(contentType: string, message = `Content-Type '${contentType.slice(0, 100)}' is not supported; send application/json`) {
    super(message);
  }
}

/** An Idempotency-Key already used for a different request (another body or If-Match) on the same route and block. */
export class IdempotencyKeyReusedError extends CbmError {
  readonly code = "IDEMPOTENCY_KEY_REUSED";
  constructor(options?: { cause?: unknown }) {
    super("This Idempotency-Key was used for a different request; use a new key for a new request", options);
  }
}

/** The first request with this Idempotency-Key is still running; its outcome is not known yet. */
export class IdempotencyInProgressError extends CbmError {
  readonly code = "IDEMPOTENCY_IN_PROGRESS";
  constructor(options?: { cause?: unknown }) {
    super("A request with this Idempotency-Key is still in progress; retry shortly with the same key", options);
  }
}

export class RouteNotFoundError extends CbmError {
  readonly code = "NOT_FOUND";
  constructor(method: string, path: string) {
    super(`No route for ${method.slice(0, 16)} ${path.slice(0, 200)}`);
  }
}

export class MethodNotAllowedError extends CbmError {
  readonly code = "METHOD_NOT_ALLOWED";
  constructor(
    method: string,
    readonly allow: string[],
  ) {
    super(`Method ${method.slice(0, 16)} is not allowed here; allowed: ${allow.join(", ")}`);
  }
}

/*
 * Errors of the API-key rotation (composition/handlers/rotate-api-key.ts). Secrets Manager records a failed step and retries the
 * rotation; the message says what an operator has to fix. Never carries a key.
 */

/** An invocation that is neither a Secrets Manager rotation step for this function's secret nor its reconcile schedule. */
export class RotationEventError extends CbmError {
  readonly code = "ROTATION_EVENT_INVALID";
}

/** The secret is not in a state the step can work from (rotation disabled, unknown token, unreadable value). */
export class RotationStateError extends CbmError {
  readonly code = "ROTATION_STATE_INVALID";
}

/** testSecret: API Gateway would not accept the pending key, so it must not become current. */
export class RotationTestError extends CbmError {
  readonly code = "ROTATION_TEST_FAILED";
}

/** The console's approve form showed terms that are no longer the ones CBM asks for; nothing was recorded. */
export class TermsChangedError extends CbmError {
  readonly code = "TERMS_CHANGED";
  constructor(pk: string) {
    super(
      `The terms for '${pk}' changed since the page was shown (or CBM no longer asks for approval); nothing was recorded. Review the page again.`,
    );
  }
}
