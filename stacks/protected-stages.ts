/**
 * Stages protected besides prod, production and staging (stacks/stage.ts): their table has deletion protection and
 * is retained, and their log groups are kept. Recorded here, in the repository, so that the protection of a stage
 * does not depend on a variable being set in the shell of each deploy. Add a stage here before its first deploy.
 */
export const PROTECTED_STAGES_RECORD: readonly string[] = [];
