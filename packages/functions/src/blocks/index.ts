/*
 * The blocks wing: managed blocks over the JSON API. Its routes (block-routes.ts), the wire format of its bodies
 * (wire/), and the use cases every surface shares (use-cases/). Other wings use the use cases from here.
 */
export {
  createBlockUseCases,
  type Actor,
  type BlockUseCaseDeps,
  type BlockUseCases,
  type BlockWithUsage,
  type InputWarning,
  type PageRequest,
  type VerdictInput,
  type VersionPin,
  type WithWarnings,
} from "./use-cases/index";
export { blockRoutes } from "./block-routes";
