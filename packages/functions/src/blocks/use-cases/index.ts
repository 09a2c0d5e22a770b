import { createCreateBlock } from "./create-block";
import { createDeleteBlock } from "./delete-block";
import type { BlockUseCaseDeps } from "./deps";
import { createReadBlocks } from "./read-blocks";
import { createUpdateBlock } from "./update-block";
import { createVerdicts } from "./verdict";

export type { BlockUseCaseDeps, Actor } from "./deps";
export type { InputWarning, WithWarnings } from "./create-block";
export type { VersionPin } from "./update-block";
export type { VerdictInput } from "./verdict";
export type { BlockWithUsage, PageRequest } from "./read-blocks";

/** Everything the API does with blocks; each use case reads through the ports and throws core's typed errors. */
export function createBlockUseCases(deps: BlockUseCaseDeps) {
  const verdicts = createVerdicts(deps);
  return {
    ...createReadBlocks(deps),
    create: createCreateBlock(deps),
    update: createUpdateBlock(deps),
    remove: createDeleteBlock(deps),
    approve: verdicts.approve,
    deny: verdicts.deny,
    resetSpend: verdicts.resetSpend,
  };
}

export type BlockUseCases = ReturnType<typeof createBlockUseCases>;
