import { loadApiConfig } from "../../platform/config";
import { createAssembly } from "../assembly";
import { assemblePlanning } from "../http";
import { inLambda, lambdaEnvironment, lambdaOnly } from "../lambda";

export { createPlanningHandler, type PlanningHandlerDeps } from "../create-planning-handler";

// Composition root of the planning API (GET /offerings …): config and clients once per cold start, in Lambda only.
const built = inLambda(process.env) ? assemblePlanning(createAssembly(lambdaEnvironment(loadApiConfig(process.env)))) : undefined;

/** The Lambda entry point (`packages/functions/src/composition/handlers/planning-api.handler`). */
export const handler = built?.fn ?? lambdaOnly("planning-api");
/** What this function does to keep money safe, as built (test/assembly.test.ts); undefined outside Lambda. */
export const safety = built?.safety;
