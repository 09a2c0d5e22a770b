// The single import point of the input parsers the API uses (they live in @cbm/core, next to the Block schema).
export { applyBlockUpdate, CreateBlockInput, FIELD_ALIASES, fieldIssuesFromZod, parseCreateBlock, UpdateBlockInput } from "@cbm/core";

/** A human-readable note about valid input that is probably not what the caller wants (e.g. a short lookahead). */
export type InputWarning = string;
