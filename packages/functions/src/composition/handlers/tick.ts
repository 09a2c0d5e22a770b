import { loadConfig } from "../../platform/config";
import { createAssembly } from "../assembly";
import { inLambda, lambdaEnvironment, lambdaOnly } from "../lambda";
import { serviceLogger } from "../logger";
import { notifierFrom } from "../notifier";
import { assembleTick } from "../scheduled";
import { createTickHandler } from "../../tick/create-tick-handler";

export { createTickHandler, accountFromFunctionArn, type TickHandlerDeps } from "../../tick/create-tick-handler";

// Composition root: config is parsed and clients are built once per container, at cold start.
function compose() {
  const config = loadConfig(process.env);
  const logger = serviceLogger(config, "cbm-tick");
  const environment = lambdaEnvironment(config, { notifier: notifierFrom(config, logger) });
  const tick = assembleTick(createAssembly(environment));
  const fn = createTickHandler({
    logger,
    // CloudWatch Embedded Metric Format on stdout; the alarms in stacks/monitoring.ts read these by `stage`.
    metrics: environment.metrics!("cbm-tick"),
    ...(config.accountId ? { accountId: config.accountId } : {}),
    tickForAccount: tick.fn,
  });
  return { fn, safety: tick.safety };
}

const built = inLambda(process.env) ? compose() : undefined;

/** The Lambda entry point (stacks: `packages/functions/src/composition/handlers/tick.handler`). */
export const handler = built?.fn ?? lambdaOnly("tick");
/** What this function does to keep money safe, as built (test/assembly.test.ts); undefined outside Lambda. */
export const safety = built?.safety;
