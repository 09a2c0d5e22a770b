import { loadApiConfig } from "../../platform/config";
import { createAssembly } from "../assembly";
import { assembleApi } from "../http";
import { lambdaEnvironment } from "../lambda";

export { createApiHandler, type ApiHandlerDeps } from "../create-api-handler";

// Composition root: config parsed and clients built once per cold start; composition/ decides every limit.
const built = assembleApi(createAssembly(lambdaEnvironment(loadApiConfig(process.env))));

export const handler = built.fn;
/** What this function does to keep money safe, as built (test/assembly.test.ts compares it with local mode's). */
export const safety = built.safety;
