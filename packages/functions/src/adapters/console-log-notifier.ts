import type { Notifier } from "@cbm/core";
import type { TickLogger } from "../tick/logger";

/**
 * The notifier when no approval topic is configured: nobody can be reached, so blocks that require approval are
 * approved automatically (original README behaviour); notices are only logged.
 */
export function createLogOnlyNotifier(logger: TickLogger): Notifier {
  return {
    canReachApprover: false,
    async send(n) {
      logger.info("notification (no topic configured)", { kind: n.kind, pk: n.pk, key: n.key, subject: n.subject });
    },
  };
}
