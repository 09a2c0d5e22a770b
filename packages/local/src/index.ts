export { startLocal, tickIntervalMs, LOCAL_CREDENTIALS, LOCAL_TABLE } from "./start-local";
export { assembleLocal, localEnvironment } from "./local-assembly";
export type { LocalHandle, StartLocalOptions, AwsModeOptions } from "./local-options";
export { startDynamoLocal, assertJava, freePort, type DynamoLocal } from "./dynamo-local";
export { LocalError, JavaMissingError, JavaCompilerMissingError, DataDirLockedError, DynamoLocalStartError } from "./errors";
export {
  createHttpListener,
  serveHttp,
  toProxyEvent,
  writeProxyResult,
  type ProxyEvent,
  type ProxyResult,
  type HttpServer,
} from "./http-adapter";
export { DEMO_BLOCKS, LOCAL_ACCOUNT_ID } from "./demo";
export { defaultStateDir, ensureApiKey, KEY_FILE, URL_FILE } from "./state-dir";
