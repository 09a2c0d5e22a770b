import { RotationEventError } from "../platform/errors";
import { recordKeyRotation } from "../platform/observability/job-metrics";
import type { Metrics } from "../platform/observability/metrics";
import type { RotationContext } from "./context";
import { parseRotationEvent } from "./events";
import { reconcileKeys } from "./reconcile";
import { ROTATION_STEPS } from "./steps";

export interface RotationHandlerDeps extends RotationContext {
  /** The one secret this function rotates; a step for any other secret is refused. */
  secretArn: string;
  /** Flushed once per invocation: rotations finished, keys a reconcile repaired, failures (EMF on stdout in Lambda). */
  metrics?: Pick<Metrics, "add" | "flush">;
}

/**
 * The rotation function's body, built from its ports so tests drive it step by step. A failure is thrown: Secrets
 * Manager marks the step failed and retries the rotation; the scheduled reconcile simply runs again.
 */
export function createRotationHandler(deps: RotationHandlerDeps): (event: unknown) => Promise<void> {
  const { metrics } = deps;
  const run = async (event: unknown): Promise<{ rotations: number; repairs: number }> => {
    const parsed = parseRotationEvent(event);
    if (parsed.kind === "reconcile") {
      const { added, removed } = await reconcileKeys(deps);
      return { rotations: 0, repairs: added + removed };
    }
    if (parsed.secretId !== deps.secretArn) {
      throw new RotationEventError("Refusing to rotate a secret other than the API key secret this function owns");
    }
    const log = deps.logger.child({ step: parsed.step, token: parsed.token });
    log.info("rotation step");
    await ROTATION_STEPS[parsed.step]({ ...deps, logger: log }, parsed.token);
    // The last of Secrets Manager's four steps: the new key is current.
    return { rotations: parsed.step === "finishSecret" ? 1 : 0, repairs: 0 };
  };
  return async (event) => {
    try {
      const done = await run(event);
      if (metrics) recordKeyRotation(metrics, { ...done, failures: 0 });
    } catch (err) {
      if (metrics) recordKeyRotation(metrics, { rotations: 0, repairs: 0, failures: 1 });
      throw err;
    } finally {
      metrics?.flush();
    }
  };
}
