/*
 * The reports wing: spend and usage, read by two surfaces (the planning API's report routes in requests/, the
 * console's spend page in approvals/console/), so it sits below both and imports only core.
 */
export { BlockUsageRow, UsageReport, buildSpendReport, buildUsageReport, type SpendReportDeps } from "./spend";
