import type { Logger } from "../observability/logger";

/**
 * The log calls the scheduler makes. The implementation is observability/logger.ts (createLogger, silentLogger);
 * this alias only keeps older imports compiling.
 */
export type TickLogger = Pick<Logger, "info" | "warn" | "error">;

export { silentLogger } from "../observability/logger";
