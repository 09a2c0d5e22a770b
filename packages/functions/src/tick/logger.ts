/** The few log calls the scheduler makes; structured, so CloudWatch Logs Insights can query by field. */
export interface TickLogger {
  info(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
  error(message: string, data?: Record<string, unknown>): void;
}

/** One JSON line per entry on stdout/stderr (what Lambda ships to CloudWatch). */
export function createJsonLogger(base: Record<string, unknown> = {}): TickLogger {
  const line = (level: string, message: string, data?: Record<string, unknown>) =>
    JSON.stringify({ level, message, ...base, ...data });
  return {
    info: (m, d) => console.log(line("info", m, d)),
    warn: (m, d) => console.warn(line("warn", m, d)),
    error: (m, d) => console.error(line("error", m, d)),
  };
}

/** Drops everything; for tests and benchmarks. */
export const silentLogger: TickLogger = { info: () => {}, warn: () => {}, error: () => {} };
