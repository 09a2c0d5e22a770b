/** Base of every CBM error: a stable machine-readable `code` that clients may branch on. No HTTP here. */
export abstract class CbmError extends Error {
  abstract readonly code: string;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

export interface FieldIssue {
  /** Dotted path of the field at fault, e.g. `policy.extendByDays`; "" for the whole body. */
  field: string;
  message: string;
  code: string;
}

/** Input that does not satisfy a schema or a business rule; nothing was changed. */
export class ValidationError extends CbmError {
  readonly code = "VALIDATION_FAILED";
  constructor(
    readonly issues: FieldIssue[],
    message = issues.map((i) => (i.field ? `${i.field}: ${i.message}` : i.message)).join("; "),
  ) {
    super(message);
  }
}

export class NotFoundError extends CbmError {
  readonly code = "NOT_FOUND";
  constructor(readonly pk: string) {
    super(`No managed block with PK '${pk}'`);
  }
}

export class AlreadyExistsError extends CbmError {
  readonly code = "ALREADY_EXISTS";
  constructor(readonly pk: string) {
    super(`A managed block with PK '${pk}' already exists`);
  }
}

/** The reservation is managed by another block already: two registrations would spend from two budgets. */
export class AlreadyManagedError extends CbmError {
  readonly code = "ALREADY_MANAGED";
  constructor(
    readonly capacityReservationId: string,
    readonly managedBy: string,
  ) {
    super(`Reservation ${capacityReservationId} is already managed by block '${managedBy}'`);
  }
}

/** Optimistic-concurrency failure: someone else wrote the record since it was read. */
export class VersionConflictError extends CbmError {
  readonly code = "VERSION_CONFLICT";
  constructor(
    readonly pk: string,
    readonly expectedVersion?: number,
  ) {
    super(
      `Block '${pk}' was changed by someone else${expectedVersion === undefined ? "" : ` (expected version ${expectedVersion})`}; re-read and retry`,
    );
  }
}

/** A purchase is in flight; deleting or editing would orphan money. */
export class PurchaseInFlightError extends CbmError {
  readonly code = "PURCHASE_IN_FLIGHT";
  constructor(readonly pk: string) {
    super(`Block '${pk}' has an extension purchase in flight; try again once it has settled`);
  }
}

/** The request conflicts with the block's state (e.g. approving a block that has no extension to approve). */
export class InvalidStateError extends CbmError {
  readonly code: string = "INVALID_STATE";
}

/**
 * A verdict named no window and no notice is asking about one: approving "whatever comes next" is how a repeated
 * command bought twice, so it is refused, saying what is pending and when CBM asks next.
 */
export class NothingAskedError extends InvalidStateError {
  override readonly code = "NOTHING_ASKED";
}

/** Failed infrastructure (EC2, DynamoDB, SNS, Secrets Manager) with the provider's code when known. */
export class InfrastructureError extends CbmError {
  readonly code: string = "INFRASTRUCTURE_ERROR";
  constructor(
    message: string,
    readonly providerCode?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The provider throttled us; the caller should back off until `retryAfter`. */
export class ThrottledError extends InfrastructureError {
  override readonly code = "THROTTLED";
}

/** The outcome of a call is unknown (timeout, 5xx): it may have taken effect. Never retry a purchase on this. */
export class AmbiguousOutcomeError extends InfrastructureError {
  override readonly code = "AMBIGUOUS_OUTCOME";
}

/** The provider definitely rejected the call; nothing happened. */
export class RejectedError extends InfrastructureError {
  override readonly code = "REJECTED";
}

/** Configuration is missing or invalid; raised at cold start, naming the key. */
export class ConfigError extends CbmError {
  readonly code = "CONFIG_INVALID";
}

/** An approval link's token was used already: it acts once. */
export class LinkUsedError extends CbmError {
  readonly code = "LINK_USED";
  constructor(readonly tokenId: string) {
    super("This approval link was used already");
  }
}

// Capacity requests: the same codes as a block's where the meaning is the same (NOT_FOUND, INVALID_STATE …).

/** No capacity request with this id or name. */
export class RequestNotFoundError extends CbmError {
  readonly code = "NOT_FOUND";
  constructor(readonly id: string) {
    super(`No capacity request '${id}'`);
  }
}

/** The request cannot do this now (approve without a quote, cancel once bought …); the message says why. */
export class RequestStateError extends CbmError {
  readonly code = "INVALID_STATE";
}

/** A purchase for the request is in flight or done: cancelling would orphan money. */
export class RequestPurchaseInFlightError extends CbmError {
  readonly code = "PURCHASE_IN_FLIGHT";
  constructor(readonly id: string) {
    super(`Capacity request '${id}' has a purchase in flight or bought a block; it can no longer be cancelled`);
  }
}

/** A request transition was asked for from a state that cannot have it (a second intent, a purchase cleared): a bug. */
export class RequestInvariantError extends CbmError {
  readonly code = "INVARIANT_BROKEN";
  constructor(message: string) {
    super(`invariant: ${message}`);
  }
}

/** An open or fulfilled request already has this name: a name addresses one request, and the block it buys. */
export class RequestNameTakenError extends CbmError {
  readonly code = "NAME_TAKEN";
  readonly issues: FieldIssue[];
  constructor(
    readonly requestName: string,
    readonly takenBy: string,
  ) {
    super(`The name '${requestName}' is taken by capacity request ${takenBy}; choose another or cancel that request`);
    this.issues = [{ field: "name", message: `is taken by request ${takenBy}`, code: "name_taken" }];
  }
}
