/**
 * Functions invoked asynchronously (by EventBridge rules) that have no on-failure destination, and why. Every other
 * asynchronously invoked function must have one; a synth test checks both.
 */
export const NO_ON_FAILURE_DESTINATION: Record<string, string> = {
  Tick:
    "A failed tick is never replayed (retries 0): the next minute's tick re-reads EC2 and the table and does the work. " +
    "TickErrors and TickHeartbeat report failures; a record per failed minute would flood the alarm topic.",
  Requests:
    "Like the tick: a failed run is not replayed, the next minute's run resumes every request from its stored state, " +
    "and RequestsErrors and RequestsHeartbeat report failures.",
  KeyRotation:
    "The reconcile runs every 5 minutes and redoes all its work from fresh state; Secrets Manager's own rotation calls " +
    "are retried by Secrets Manager. KeyRotationFailed reports a failure of either.",
};
