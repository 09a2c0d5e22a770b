import { loadConfig } from "../config";
import { createAssembly } from "../composition/assembly";
import { lambdaEnvironment } from "../composition/lambda";
import { serviceLogger } from "../composition/logger";
import { notifierFrom } from "../composition/notifier";
import { assembleNotices } from "../composition/scheduled";

export { createNoticesHandler } from "../events/create-notices-handler";

// Composition root (stacks/notices.ts): AWS's Capacity Block events and the expiry reminder schedule invoke this.
const config = loadConfig(process.env);
const built = assembleNotices(
  createAssembly(lambdaEnvironment(config, { notifier: notifierFrom(config, serviceLogger(config, "cbm-notices")) })),
);

export const handler = built.fn;
/** What this function does to keep money safe, as built (test/assembly.test.ts). */
export const safety = built.safety;
