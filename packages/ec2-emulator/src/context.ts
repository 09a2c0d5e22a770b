import type { Capacity } from "./capacity";
import type { Clock } from "./clock";
import type { RuleConfig } from "./config";
import type { ErrorCodes } from "./error-codes";
import { Ec2Error } from "./errors";
import type { FaultKind, Faults } from "./faults";
import type { Pricing } from "./pricing";
import type { QueryParams } from "./query-parser";
import type { Ids } from "./random";
import type { Store } from "./store";
import type { XmlObject } from "./xml";

/** The emulator's moving parts, shared by the EC2 operations and the control API. */
export interface World {
  store: Store;
  clock: Clock;
  config: RuleConfig;
  codes: ErrorCodes;
  ids: Ids;
  pricing: Pricing;
  capacity: Capacity;
  faults: Faults;
}

/** One EC2 request after protocol parsing: who asks, where, when, with what. */
export interface RequestContext {
  action: string;
  region: string;
  accountId: string;
  requestId: string;
  nowMs: number;
  params: QueryParams;
  /** Fires a fault of `kind` (e.g. payment-failure) if one matches this request; consumes it. */
  takeFault(kind: FaultKind): boolean;
}

/** The XML body of a successful answer, without the root element and requestId. */
export type Operation = (ctx: RequestContext, world: World) => XmlObject;

/** Every operation validates first, then answers DryRun with 412 instead of acting (reference §1.1). */
export function checkDryRun(ctx: RequestContext): void {
  if (ctx.params.bool("DryRun")) {
    throw new Ec2Error("DryRunOperation", "Request would have succeeded, but DryRun flag is set.");
  }
}
