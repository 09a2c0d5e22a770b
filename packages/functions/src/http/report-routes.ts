import * as z from "zod";
import { spendCsv } from "@cbm/core";
import { buildSpendReport, buildUsageReport, type SpendReportDeps } from "../use-cases/reports/spend";
import { defineRoute, type AnyRoute } from "./types";

const ReportQuery = z.object({ format: z.enum(["json", "csv"]).optional() }).strict();

/** GET /reports/spend: spend per month, block and team; `format=csv` adds the blocks as CSV text (`csv`). */
export function reportRoutes(deps: SpendReportDeps): AnyRoute[] {
  return [
    defineRoute({
      method: "GET",
      path: "/reports/spend",
      operationId: "spendReport",
      summary: "Spend per month, per block and per team tag, reserved instance-hours and price per instance-hour",
      query: ReportQuery,
      queryDocs: [
        {
          name: "format",
          description: "`csv` adds a `csv` member with one row per block",
          schema: { type: "string", enum: ["json", "csv"] },
        },
      ],
      responses: {
        200: { description: "`blocks`, `months`, `teams`, `totals`, `truncated` (and `csv`)" },
        403: { description: "Missing or wrong API key", schema: "Forbidden" },
      },
      async handler({ query }) {
        const report = await buildSpendReport(deps);
        return { statusCode: 200, body: query.format === "csv" ? { ...report, csv: spendCsv(report, "blocks") } : report };
      },
    }),
    ...(deps.usage
      ? [
          defineRoute({
            method: "GET",
            path: "/reports/usage",
            operationId: "usageReport",
            summary: "Instances running in each managed block now, the last 24 h (hourly), and how long it has been idle",
            responses: {
              200: { description: "`blocks`: one row per sampled block, and `truncated`" },
              403: { description: "Missing or wrong API key", schema: "Forbidden" },
            },
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
