import { parseOrThrow } from "@cbm/core";
import type { Actor, BlockUseCases, VersionPin } from "../../src/blocks/use-cases";
import { CreateBlockBody, UpdateBlockBody } from "../../src/blocks/wire/block-body";

/**
 * The block use cases as a client reaches them: bodies as sent (first-release names, whole records read back),
 * parsed by the same schemas as POST / and PUT /{PK}, without the HTTP pipeline around them.
 */
export function overTheWire(blocks: BlockUseCases) {
  return {
    ...blocks,
    create: (body: unknown, actor: Actor) => blocks.create(parseOrThrow(CreateBlockBody, body), actor),
    update: (pk: string, body: unknown, pin: VersionPin) => blocks.update(pk, parseOrThrow(UpdateBlockBody, body), pin),
  };
}
