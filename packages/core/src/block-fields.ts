import { regionFromAvailabilityZone } from "./block";
import type { PolicyChanges } from "./block-commands";
import type { FieldIssue } from "./errors";
import { ExtensionPolicy } from "./policy";
import { canonicalIso, toMs } from "./time";

/** Resolves the region from an explicit value or the availability zone, and checks that the two agree. */
export function resolveRegion(region: string | undefined, az: string | undefined, issues: FieldIssue[]): string | undefined {
  const derived = az === undefined ? undefined : regionFromAvailabilityZone(az);
  if (az !== undefined && derived === undefined) {
    issues.push({ field: "availabilityZone", message: `cannot derive a region from '${az}'`, code: "invalid_value" });
    return region;
  }
  if (region !== undefined && derived !== undefined && derived !== region) {
    issues.push({ field: "availabilityZone", message: `'${az}' is not in region '${region}'`, code: "conflict" });
  }
  return region ?? derived;
}

/** A block's start must come before its end; the issue names the field that was sent (`endField`, or startDate). */
export function checkDateOrder(
  dates: { startDate: string | undefined; endDate: string | undefined },
  sent: { endField?: string },
  issues: FieldIssue[],
): void {
  if (dates.startDate === undefined || dates.endDate === undefined || toMs(dates.endDate) > toMs(dates.startDate)) return;
  issues.push(
    sent.endField !== undefined
      ? { field: sent.endField, message: "must be after startDate", code: "invalid_value" }
      : { field: "startDate", message: "must be before endDate", code: "invalid_value" },
  );
}

/** Drops keys whose value is undefined (the store omits them; DynamoDB rejects undefined). */
export function compact<T extends Record<string, unknown>>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/** The effective policy: `changes` over `base` (null clears a limit), defaults for the rest, instants canonical. */
export function effectivePolicy(base: Partial<ExtensionPolicy>, changes: PolicyChanges = {}): ExtensionPolicy {
  const merged: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(changes)) {
    if (v === undefined) continue;
    if (v === null) delete merged[k];
    else merged[k] = k === "extendUntil" ? canonicalIso(v as string) : v;
  }
  // Every field was validated at the edge, so this only applies defaults; a failure is a broken invariant.
  return ExtensionPolicy.parse(merged);
}

/** An ISO instant in canonical form, or undefined. */
export function canonicalOrUndefined(iso: string | undefined): string | undefined {
  return iso === undefined ? undefined : canonicalIso(iso);
}
