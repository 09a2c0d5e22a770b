/* The rotation wing: the API key's rotation and reconcile, with the ports its adapters implement (ports.ts). */
export { createRotationHandler, type RotationHandlerDeps } from "./create-rotation-handler";
export { loadRotationConfig, type RotationConfig } from "./config";
export { parseRotationEvent } from "./events";
export { ROTATION_GRACE_MS } from "./key-plan";
