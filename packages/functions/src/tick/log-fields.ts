import type { Block, Decision, FailureInfo } from "@cbm/core";
import { ThrottledError } from "@cbm/core";

/** The fields every per-block log line carries, so CloudWatch Logs Insights can filter by any of them. */
export function blockFields(b: Block): Record<string, unknown> {
  return { PK: b.PK, capacityReservationId: b.capacityReservationId, region: b.region };
}

/** `decision` (its kind), `reason` (stop or wait reason, approval notice, approval basis …), and the window and fee when there is one. */
export function decisionFields(d: Decision): Record<string, unknown> {
  switch (d.kind) {
    case "wait":
      return { decision: d.kind, reason: d.reason, until: d.until };
    case "stop":
      return { decision: d.kind, reason: d.reason, detail: d.detail, ...(d.retryAt ? { retryAt: d.retryAt } : {}) };
    case "fetch-offerings":
      return { decision: d.kind, reason: "offerings-needed", window: d.window };
    case "request-approval":
      return {
        decision: d.kind,
        reason: d.notice,
        window: d.window,
        offeringId: d.offering.offeringId,
        fee: d.offering.upfrontFee,
        currency: d.offering.currencyCode,
        durationHours: d.offering.durationHours,
      };
    case "purchase":
      return {
        decision: d.kind,
        reason: d.approval,
        window: d.window,
        offeringId: d.offering.offeringId,
        fee: d.offering.upfrontFee,
        currency: d.offering.currencyCode,
        durationHours: d.offering.durationHours,
      };
    case "await-payment":
      return {
        decision: d.kind,
        reason: d.alert ? "payment-pending-alert" : "payment-pending",
        window: d.window,
        offeringId: d.extension.offeringId,
        fee: d.extension.upfrontFee,
        currency: d.extension.currencyCode,
      };
    case "settle-intent":
      return {
        decision: d.kind,
        reason: d.outcome,
        window: d.intent.window,
        offeringId: d.intent.offeringId,
        fee: d.intent.upfrontFee,
        currency: d.intent.currencyCode,
      };
  }
}

export function errorCode(err: unknown): string {
  const e = err as { providerCode?: string; code?: string; name?: string } | undefined;
  return e?.providerCode ?? e?.code ?? e?.name ?? "Error";
}

export function errorMessage(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).slice(0, 500);
}

/** A thrown error as the record keeps it (see core's withFailure). */
export function failureOf(err: unknown): FailureInfo {
  return { code: errorCode(err), message: errorMessage(err), throttled: err instanceof ThrottledError };
}

export function describeError(err: unknown): Record<string, unknown> {
  return { code: errorCode(err), message: errorMessage(err), name: (err as Error | undefined)?.name };
}
