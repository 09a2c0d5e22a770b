import { loadApiConfig } from "../../platform/config";
import { createAssembly } from "../assembly";
import { assembleWeb } from "../http";
import { lambdaEnvironment } from "../lambda";

export { createWebHandler, type WebHandlerDeps } from "../create-web-handler";

// Composition root of the browser pages (`/link/…`, `/console…`), a function of its own behind the API's gateway.
const built = assembleWeb(createAssembly(lambdaEnvironment(loadApiConfig(process.env))));

export const handler = built.fn;
/** What this function does to keep money safe, as built (test/assembly.test.ts). */
export const safety = built.safety;
