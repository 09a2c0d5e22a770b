import { loadConfig } from "../../platform/config";
import { createAssembly } from "../assembly";
import { inLambda, lambdaEnvironment, lambdaOnly } from "../lambda";
import { serviceLogger } from "../logger";
import { notifierFrom } from "../notifier";
import { assembleRequestWorker, assembleUsageSampler } from "../scheduled";
import { createRequestsHandler } from "../../requests/worker/create-requests-handler";

export { createRequestWorker } from "../../requests/worker/request-worker";

/*
 * The capacity-request worker as its own Lambda on the tick's schedule: the tick's bundle is at its size budget,
 * and a request's purchase protocol is independent of the extension protocol (separate records, separate intents).
 */
function compose() {
  const config = loadConfig(process.env);
  const logger = serviceLogger(config, "cbm-requests");
  const assembly = createAssembly(lambdaEnvironment(config, { notifier: notifierFrom(config, logger) }));
  const worker = assembleRequestWorker(assembly);
  // Usage sampling rides on the same schedule: a page of blocks per run, a full pass every ten minutes.
  const sampler = assembleUsageSampler(assembly);
  return { fn: createRequestsHandler({ run: worker.fn, logger, afterRun: sampler.fn }), safety: worker.safety };
}

const built = inLambda(process.env) ? compose() : undefined;

/** The Lambda entry point (`packages/functions/src/composition/handlers/requests.handler`). */
export const handler = built?.fn ?? lambdaOnly("requests");
/** What this function does to keep money safe, as built (test/assembly.test.ts); undefined outside Lambda. */
export const safety = built?.safety;
