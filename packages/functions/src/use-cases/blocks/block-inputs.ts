// The single import point of the input parsers, so switching to @cbm/core's versions is a one-line change.
export { applyBlockUpdate, CreateBlockBody, fieldIssuesFromZod, parseCreateBlock, UpdateBlockBody, type InputWarning } from "./inputs-fallback";
