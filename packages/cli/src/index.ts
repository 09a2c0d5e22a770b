export { createCbmClient, CbmApiError } from "./client";
export type { CbmClient, CbmClientOptions, CbmFieldIssue, CreateBlockInput, UpdateBlockInput, PolicyInput } from "./client";
export { main, COMMANDS } from "./main";
export { EXIT } from "./errors";
export { resolveApi, stageParameters } from "./resolve-api";
export { LOCAL_DIR, KEY_FILE, URL_FILE } from "./local-files";
