import { loadApiConfig } from "../config";
import { createAssembly } from "../composition/assembly";
import { assembleApi } from "../composition/http";
import { lambdaEnvironment } from "../composition/lambda";

export { createApiHandler, type ApiHandlerDeps } from "../http/create-api-handler";

// Composition root: config parsed and clients built once per cold start; composition/ decides every limit.
const built = assembleApi(createAssembly(lambdaEnvironment(loadApiConfig(process.env))));

export const handler = built.fn;
/** What this function does to keep money safe, as built (test/assembly.test.ts compares it with local mode's). */
export const safety = built.safety;
