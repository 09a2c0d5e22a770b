import { loadConfig } from "../../platform/config";
import { createAssembly } from "../assembly";
import { lambdaEnvironment } from "../lambda";
import { serviceLogger } from "../logger";
import { notifierFrom } from "../notifier";
import { assembleNotices } from "../scheduled";

export { createNoticesHandler } from "../../notices/create-notices-handler";

// Composition root (stacks/notices.ts): AWS's Capacity Block events and the expiry reminder schedule invoke this.
const config = loadConfig(process.env);
const built = assembleNotices(
  createAssembly(lambdaEnvironment(config, { notifier: notifierFrom(config, serviceLogger(config, "cbm-notices")) })),
);

export const handler = built.fn;
/** What this function does to keep money safe, as built (test/assembly.test.ts). */
export const safety = built.safety;
