import { type CapacityProvider, type TickReport, ThrottledError } from "@cbm/core";

/** EC2 with every failed call counted into the report (throttles apart), the error passed on unchanged. */
export function countingProvider(inner: CapacityProvider, report: TickReport): CapacityProvider {
  const counted =
    <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      try {
        return await fn(...args);
      } catch (err) {
        if (err instanceof ThrottledError) report.ec2Throttles++;
        else report.ec2Errors++;
        throw err;
      }
    };
  return {
    describeReservations: counted((r, ids) => inner.describeReservations(r, ids)),
    extensionHistory: counted((r, ids) => inner.extensionHistory(r, ids)),
    extensionOfferings: counted((r, c, h) => inner.extensionOfferings(r, c, h)),
    purchaseExtension: counted((r, c, o) => inner.purchaseExtension(r, c, o)),
    claimForStage: counted((r, c, s) => inner.claimForStage(r, c, s)),
  };
}
