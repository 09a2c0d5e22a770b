import { ControlError } from "./errors";
import { createRandom } from "./random";

export const FAULT_KINDS = [
  "throttle",
  "describe-limit",
  "error-before",
  "error-after",
  "latency",
  "empty-offerings",
  "payment-failure",
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultSpec {
  /** An EC2 action name, or "*" for every action. */
  action: string;
  kind: FaultKind;
  /** How many times it fires (default 1). Infinity (or "Infinity" over JSON) = always. */
  times?: number | "Infinity";
  /** Shorthand for times: Infinity. */
  always?: boolean;
  /** Fire only on this fraction of matching requests, drawn from a PRNG seeded with `seed`. */
  probability?: number;
  seed?: number;
  /** Only requests naming this reservation (CapacityReservationId or CapacityReservationId.N). */
  match?: { capacityReservationId?: string };
  /** latency: how long to hold the response. */
  ms?: number;
  /** latency on a purchase: "after" (default) commits, then waits; "before" waits, then commits. */
  effect?: "before" | "after";
}

export interface Fault extends Omit<FaultSpec, "times"> {
  id: string;
  remaining: number;
  fired: number;
}

/** What a request looks like to a fault's matcher. */
export interface FaultTarget {
  action: string;
  reservationIds: readonly string[];
}

/**
 * Injected faults, checked in the order they were added. A fault is consumed only when it actually fires, so
 * "payment-failure" waits for the next purchase that succeeds and a probability fault is reproducible from its seed.
 */
export class Faults {
  private faults: (Fault & { random?: () => number })[] = [];
  private nextId = 1;

  inject(spec: FaultSpec): string {
    const fault = validate(spec);
    const id = `fault-${this.nextId++}`;
    const random = fault.probability === undefined ? undefined : createRandom(fault.seed ?? 1);
    this.faults.push({ ...fault, id, fired: 0, random });
    return id;
  }

  /** Fires (and consumes) the first fault of one of `kinds` that matches the request. */
  take(kinds: readonly FaultKind[], target: FaultTarget): Fault | undefined {
    for (const fault of this.faults) {
      if (!kinds.includes(fault.kind) || fault.remaining <= 0) continue;
      if (fault.action !== "*" && fault.action !== target.action) continue;
      const wanted = fault.match?.capacityReservationId;
      if (wanted !== undefined && !target.reservationIds.includes(wanted)) continue;
      if (fault.random && fault.random() >= (fault.probability ?? 1)) continue;
      fault.remaining -= 1;
      fault.fired += 1;
      return fault;
    }
    return undefined;
  }

  list(): Fault[] {
    return this.faults.map(({ random: _random, ...fault }) => ({ ...fault }));
  }

  clear(): void {
    this.faults = [];
  }
}

function validate(spec: FaultSpec): Omit<Fault, "id" | "fired"> {
  if (!spec || typeof spec !== "object") throw new ControlError("InvalidFault", "A fault needs {action, kind}");
  if (typeof spec.action !== "string" || spec.action === "") throw new ControlError("InvalidFault", 'A fault needs an action (or "*")');
  if (!FAULT_KINDS.includes(spec.kind)) {
    throw new ControlError("InvalidFault", `Unknown fault kind '${String(spec.kind)}'; known: ${FAULT_KINDS.join(", ")}`);
  }
  const times = spec.always ? Infinity : spec.times === "Infinity" ? Infinity : (spec.times ?? 1);
  if (typeof times !== "number" || !(times === Infinity || (Number.isInteger(times) && times > 0))) {
    throw new ControlError("InvalidFault", `times must be a positive integer or Infinity, got ${String(spec.times)}`);
  }
  if (spec.probability !== undefined && !(typeof spec.probability === "number" && spec.probability >= 0 && spec.probability <= 1)) {
    throw new ControlError("InvalidFault", "probability must be between 0 and 1");
  }
  if (spec.kind === "latency" && !(typeof spec.ms === "number" && spec.ms >= 0)) {
    throw new ControlError("InvalidFault", "A latency fault needs ms ≥ 0");
  }
  if (spec.effect !== undefined && spec.effect !== "before" && spec.effect !== "after") {
    throw new ControlError("InvalidFault", 'effect must be "before" or "after"');
  }
  const { times: _times, always: _always, ...rest } = spec;
  return { ...rest, remaining: times };
}
