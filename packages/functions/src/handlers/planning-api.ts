import { loadApiConfig } from "../config";
import { createAssembly } from "../composition/assembly";
import { assemblePlanning } from "../composition/http";
import { inLambda, lambdaEnvironment, lambdaOnly } from "../composition/lambda";

export { createPlanningHandler, type PlanningHandlerDeps } from "../http/create-planning-handler";

// Composition root of the planning API (GET /offerings …): config and clients once per cold start, in Lambda only.
const built = inLambda(process.env) ? assemblePlanning(createAssembly(lambdaEnvironment(loadApiConfig(process.env)))) : undefined;

/** The Lambda entry point (`packages/functions/src/handlers/planning-api.handler`). */
export const handler = built?.fn ?? lambdaOnly("planning-api");
/** What this function does to keep money safe, as built (test/assembly.test.ts); undefined outside Lambda. */
export const safety = built?.safety;
