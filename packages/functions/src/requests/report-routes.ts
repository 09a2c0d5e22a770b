import { spendCsv } from "@cbm/core";
import { buildSpendReport, buildUsageReport, type SpendReportDeps } from "../reports";
import { PLANNING_CONTRACTS } from "./planning-contracts";
import { defineRoute, type AnyRoute } from "../platform/http/types";

/** GET /reports/spend: spend per month, block and team; `format=csv` adds the blocks as CSV text (`csv`). */
export function reportRoutes(deps: SpendReportDeps): AnyRoute[] {
  return [
    defineRoute({
      ...PLANNING_CONTRACTS["GET /reports/spend"],
      async handler({ query }) {
        const report = await buildSpendReport(deps);
        return { statusCode: 200, body: query.format === "csv" ? { ...report, csv: spendCsv(report, "blocks") } : report };
      },
    }),
    ...(deps.usage
      ? [
          defineRoute({
            ...PLANNING_CONTRACTS["GET /reports/usage"],
            async handler() {
              return {
                statusCode: 200,
                body: await buildUsageReport({ store: deps.store, usage: deps.usage!, ...(deps.now ? { now: deps.now } : {}) }),
              };
            },
          }),
        ]
      : []),
  ];
}
