import { loadApiConfig } from "../config";
import { createAssembly } from "../composition/assembly";
import { assembleWeb } from "../composition/http";
import { lambdaEnvironment } from "../composition/lambda";

export { createWebHandler, type WebHandlerDeps } from "../http/create-web-handler";

// Composition root of the browser pages (`/link/…`, `/console…`), a function of its own behind the API's gateway.
const built = assembleWeb(createAssembly(lambdaEnvironment(loadApiConfig(process.env))));

export const handler = built.fn;
/** What this function does to keep money safe, as built (test/assembly.test.ts). */
export const safety = built.safety;
