import { spendCsv } from "@cbm/core";
import { buildSpendReport, buildUsageReport, type SpendReportDeps } from "../reports";
import { REPORT_CONTRACTS } from "./planning-contracts";
import { bindRoutes } from "../platform/http/route-table";
import type { AnyRoute } from "../platform/http/types";

/** GET /reports/spend: spend per month, block and team; `format=csv` adds the blocks as CSV text (`csv`). */
export function reportRoutes(deps: SpendReportDeps): AnyRoute[] {
  const usage = deps.usage;
  return bindRoutes(REPORT_CONTRACTS, {
    spendReport: async ({ query }) => {
      const report = await buildSpendReport(deps);
      return { statusCode: 200, body: query.format === "csv" ? { ...report, csv: spendCsv(report, "blocks") } : report };
    },
    // Served only with usage samples to read.
    usageReport: usage
      ? async () => ({
          statusCode: 200,
          body: await buildUsageReport({ store: deps.store, usage, ...(deps.now ? { now: deps.now } : {}) }),
        })
      : undefined,
  });
}
