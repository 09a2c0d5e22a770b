import { RotationEventError } from "../platform/errors";
import type { RotationContext } from "./context";
import { parseRotationEvent } from "./events";
import { reconcileKeys } from "./reconcile";
import { ROTATION_STEPS } from "./steps";

export interface RotationHandlerDeps extends RotationContext {
  /** The one secret this function rotates; a step for any other secret is refused. */
  secretArn: string;
}

/**
 * The rotation function's body, built from its ports so tests drive it step by step. A failure is thrown: Secrets
 * Manager marks the step failed and retries the rotation; the scheduled reconcile simply runs again.
 */
export function createRotationHandler(deps: RotationHandlerDeps): (event: unknown) => Promise<void> {
  return async (event) => {
    const parsed = parseRotationEvent(event);
    if (parsed.kind === "reconcile") {
      await reconcileKeys(deps);
      return;
    }
    if (parsed.secretId !== deps.secretArn) {
      throw new RotationEventError("Refusing to rotate a secret other than the API key secret this function owns");
    }
    const log = deps.logger.child({ step: parsed.step, token: parsed.token });
    log.info("rotation step");
    await ROTATION_STEPS[parsed.step]({ ...deps, logger: log }, parsed.token);
  };
}
