/** The few log calls the scheduler makes; structured, so CloudWatch Logs Insights can query by field. */
export interface TickLogger {
  info(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
  error(message: string, data?: Record<string, unknown>): void;
}

/** Drops everything; for tests and benchmarks. */
export const silentLogger: TickLogger = { info: () => {}, warn: () => {}, error: () => {} };
