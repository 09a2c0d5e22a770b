import { ControlError } from "./errors";

/** Which offerings exist. Everything is available unless a rule says otherwise; the last matching rule wins. */
export interface CapacityRule {
  capacityReservationId?: string;
  instanceType?: string;
  region?: string;
  /** Durations the rule applies to; all durations when absent. */
  durationsHours?: number[];
  /**
   * The virtual time (ISO) from which, and until which, the rule holds: offerings that appear and disappear over
   * time, deterministically, as scarce capacity does (first come, first served). Always when absent.
   */
  from?: string;
  until?: string;
  available: boolean;
}

export interface CapacityQuery {
  capacityReservationId?: string;
  instanceType: string;
  region: string;
  hours: number;
  /** The virtual time of the search; rules with from/until are skipped outside their span. */
  nowMs?: number;
}

export class Capacity {
  private rules: CapacityRule[] = [];

  set(rule: CapacityRule): void {
    if (typeof rule?.available !== "boolean") throw new ControlError("InvalidCapacityRule", "setCapacity needs available: true|false");
    if (rule.durationsHours !== undefined && !Array.isArray(rule.durationsHours)) {
      throw new ControlError("InvalidCapacityRule", "durationsHours must be an array of hours");
    }
    for (const bound of [rule.from, rule.until]) {
      if (bound !== undefined && Number.isNaN(Date.parse(bound)))
        throw new ControlError("InvalidCapacityRule", `from/until must be ISO times, got ${JSON.stringify(bound)}`);
    }
    this.rules.push({ ...rule });
  }

  isAvailable(q: CapacityQuery): boolean {
    for (let i = this.rules.length - 1; i >= 0; i--) {
      const rule = this.rules[i]!;
      if (rule.capacityReservationId !== undefined && rule.capacityReservationId !== q.capacityReservationId) continue;
      if (rule.instanceType !== undefined && rule.instanceType !== q.instanceType) continue;
      if (rule.region !== undefined && rule.region !== q.region) continue;
      if (rule.durationsHours !== undefined && !rule.durationsHours.includes(q.hours)) continue;
      if (!inSpan(rule, q.nowMs)) continue;
      return rule.available;
    }
    return true;
  }

  list(): CapacityRule[] {
    return this.rules.map((r) => ({ ...r }));
  }

  reset(): void {
    this.rules = [];
  }
}

/** Whether `nowMs` falls in the rule's [from, until) span; a rule without a span always applies. */
function inSpan(rule: CapacityRule, nowMs: number | undefined): boolean {
  if (rule.from === undefined && rule.until === undefined) return true;
  if (nowMs === undefined) return false;
  if (rule.from !== undefined && nowMs < Date.parse(rule.from)) return false;
  return rule.until === undefined || nowMs < Date.parse(rule.until);
}
