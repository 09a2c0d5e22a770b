import type { MiddlewareObj } from "@middy/core";
import type { Metrics } from "./metrics";

/**
 * Flushes `metrics` once per invocation, whether it succeeded or failed. Register it first: Middy runs `after` and
 * `onError` in reverse order, so it then flushes after every other middleware has added its data.
 */
export function flushMetrics<E, R>(metrics: Pick<Metrics, "flush">): MiddlewareObj<E, R> {
  return {
    after: async () => void metrics.flush(),
    onError: async () => void metrics.flush(),
  };
}
