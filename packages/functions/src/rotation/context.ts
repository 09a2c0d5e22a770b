import type { Clock } from "@cbm/core";
import type { Logger } from "../platform/observability/logger";
import type { GatewayKeys, KeyGenerator, RotationSecret } from "./ports";

/** Everything a rotation step or the reconcile needs, passed explicitly to each (STYLE 16). */
export interface RotationContext {
  secret: RotationSecret;
  gateway: GatewayKeys;
  keys: KeyGenerator;
  clock: Clock;
  logger: Logger;
  /** Prefix of the names of the API Gateway keys the rotation creates, unique per stage. */
  namePrefix: string;
  /** Defaults to ROTATION_GRACE_MS. */
  graceMs?: number;
}
