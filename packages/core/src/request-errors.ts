import { CbmError, type FieldIssue } from "./errors";

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
