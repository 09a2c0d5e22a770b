// The same use of our own logger and metrics (packages/functions/src/platform/observability), for bench/bundles.ts.
import { createLogger, createMetrics, stdoutSink } from "@cbm/functions";

const logger = createLogger({ service: "cbm-tick" });
const metrics = createMetrics({ sink: stdoutSink });

export const handler = async (): Promise<void> => {
  logger.info("tick done", { due: 1 });
  metrics.add("TickHeartbeat", 1);
  metrics.flush();
};
