// What the tick and API would bundle for logs and metrics with Powertools for AWS Lambda instead of our own
// (bench/bundles.ts builds this beside observability-own.ts): a Logger and a Metrics used as the handlers use them.
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";

const logger = new Logger({ serviceName: "cbm-tick" });
const metrics = new Metrics({ namespace: "CBM", serviceName: "cbm-tick" });

export const handler = async (): Promise<void> => {
  logger.info("tick done", { due: 1 });
  metrics.addMetric("TickHeartbeat", MetricUnit.Count, 1);
  metrics.publishStoredMetrics();
};
