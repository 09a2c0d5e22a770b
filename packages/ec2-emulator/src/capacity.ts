import { ControlError } from "./errors";

/** Which offerings exist. Everything is available unless a rule says otherwise; the last matching rule wins. */
export interface CapacityRule {
  capacityReservationId?: string;
  instanceType?: string;
  region?: string;
  /** Durations the rule applies to; all durations when absent. */
  durationsHours?: number[];
  available: boolean;
}

export interface CapacityQuery {
  capacityReservationId?: string;
  instanceType: string;
  region: string;
  hours: number;
}

export class Capacity {
  private rules: CapacityRule[] = [];

  set(rule: CapacityRule): void {
    if (typeof rule?.available !== "boolean") throw new ControlError("InvalidCapacityRule", "setCapacity needs available: true|false");
    if (rule.durationsHours !== undefined && !Array.isArray(rule.durationsHours)) {
      throw new ControlError("InvalidCapacityRule", "durationsHours must be an array of hours");
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
