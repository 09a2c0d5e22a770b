import type { Notifier } from "@cbm/core";
import type { Logger } from "../platform/observability/logger";

/**
 * The notifier when no approval topic is configured: nobody can be reached, so blocks that require approval are
 * approved automatically (original README behaviour); notices are only logged.
 */
export function createLogOnlyNotifier(logger: Pick<Logger, "info" | "warn" | "error">): Notifier {
  return {
    canReachApprover: false,
    async send(n) {
      logger.info("notification (no topic configured)", { kind: n.kind, PK: n.pk, key: n.key, subject: n.subject });
    },
  };
}
