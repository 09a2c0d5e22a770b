import type { Config } from "../platform/config";
import { createLogger, type Logger, type LogSink } from "../platform/observability/logger";

/** The structured logger of one Lambda: its service name, the configured level, and the stage on every line. */
export function serviceLogger(config: Pick<Config, "logLevel" | "stage">, service: string, sink?: LogSink): Logger {
  return createLogger({
    service,
    ...(sink ? { sink } : {}),
    ...(config.logLevel ? { level: config.logLevel } : {}),
    ...(config.stage ? { context: { stage: config.stage } } : {}),
  });
}
