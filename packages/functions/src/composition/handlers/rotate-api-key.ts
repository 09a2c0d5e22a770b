import { systemClock } from "../../adapters/clock";
import { assembleKeyRotation } from "../rotation";
import { inLambda, lambdaOnly } from "../lambda";
import { loadRotationConfig } from "../../rotation/config";

export { createRotationHandler, type RotationHandlerDeps } from "../../rotation/create-rotation-handler";

/**
 * The Lambda entry point (stacks: `packages/functions/src/composition/handlers/rotate-api-key.handler`): Secrets Manager's
 * rotation steps for the API key, and the scheduled reconcile of API Gateway's keys. Outside Lambda, importing this
 * file must not need the environment.
 */
export const handler: ((event: unknown) => Promise<void>) | (() => never) = inLambda(process.env)
  ? assembleKeyRotation(loadRotationConfig(process.env), systemClock).fn
  : lambdaOnly("rotate-api-key");
