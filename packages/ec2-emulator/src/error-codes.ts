import { ControlError, Ec2Error, statusForCode } from "./errors";

/**
 * Situations for which AWS documents no error code (reference §1.12, §6.1). Each maps to a plausible code that
 * tests can change with `setErrorCode`, so callers can be proven not to depend on our guess.
 */
export type ErrorSituation =
  | "not-owner"
  | "wrong-state"
  | "extension-pending"
  | "outside-window"
  | "invalid-duration"
  | "offering-not-found"
  | "offering-other-reservation"
  | "offering-stale"
  | "offering-malformed"
  | "capacity-block-not-found"
  | "capacity-block-malformed";

export interface ErrorCodeChoice {
  code: string;
  status: number;
}

const DEFAULTS: Record<ErrorSituation, string> = {
  "not-owner": "UnauthorizedOperation",
  "wrong-state": "IncorrectState",
  "extension-pending": "IncorrectState",
  "outside-window": "InvalidParameterValue",
  "invalid-duration": "InvalidParameterValue",
  "offering-not-found": "InvalidCapacityBlockOfferingIdNotFound",
  "offering-other-reservation": "InvalidCapacityBlockOfferingIdNotFound",
  "offering-stale": "InvalidCapacityBlockOfferingIdExpired",
  "offering-malformed": "InvalidCapacityBlockOfferingIdMalformed",
  "capacity-block-not-found": "InvalidCapacityBlockId.NotFound",
  "capacity-block-malformed": "InvalidCapacityBlockId.Malformed",
};

export const ERROR_SITUATIONS = Object.keys(DEFAULTS) as ErrorSituation[];

export class ErrorCodes {
  private readonly chosen = new Map<ErrorSituation, ErrorCodeChoice>();

  set(situation: string, code: string, status?: number): void {
    if (!(situation in DEFAULTS)) {
      throw new ControlError("InvalidErrorSituation", `Unknown error situation '${situation}'; known: ${ERROR_SITUATIONS.join(", ")}`);
    }
    this.chosen.set(situation as ErrorSituation, { code, status: status ?? statusForCode(code) });
  }

  get(situation: ErrorSituation): ErrorCodeChoice {
    return this.chosen.get(situation) ?? { code: DEFAULTS[situation], status: statusForCode(DEFAULTS[situation]) };
  }

  error(situation: ErrorSituation, message: string): Ec2Error {
    const { code, status } = this.get(situation);
    return new Ec2Error(code, message, status);
  }

  all(): Record<ErrorSituation, ErrorCodeChoice> {
    return Object.fromEntries(ERROR_SITUATIONS.map((s) => [s, this.get(s)])) as Record<ErrorSituation, ErrorCodeChoice>;
  }

  /** Only the situations whose code was changed, to save and restore them. */
  overridden(): { situation: ErrorSituation; code: string; status: number }[] {
    return [...this.chosen].map(([situation, choice]) => ({ situation, ...choice }));
  }

  reset(): void {
    this.chosen.clear();
  }
}
