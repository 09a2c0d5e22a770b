import type { Command } from "../command";
import { table } from "../format";
import { spendReport, usageReport } from "../planning-client";

export const reportCommand: Command = {
  name: "report",
  summary: "Spend per month, per team and per block, with reserved instance-hours and price per instance-hour",
  usage: "cbm report [--csv] [--json]",
  help:
    "--csv prints one row per block (for spreadsheets); --json the whole report, every purchase included. A block's\n" +
    "team is its `team` tag, else that of the capacity request that bought it; others are (no team). The console's\n" +
    "spend page shows the same report.",
  options: { csv: { type: "boolean" } },
  args: [],
  async run(ctx) {
    const report = await spendReport(await ctx.client(), Boolean(ctx.values.csv));
    if (ctx.values.csv) {
      ctx.io.stdout.write(report.csv ?? "");
      return 0;
    }
    if (ctx.json) {
      ctx.out(JSON.stringify(report, null, 2));
      return 0;
    }
    ctx.out("By month");
    ctx.out(
      table(
        ["MONTH", "NEW BLOCKS", "EXTENSIONS", "TOTAL", "CURRENCY"],
        report.months.map((m) => [m.month, m.newBlocks, m.extensions, m.total, m.currency]),
      ),
    );
    ctx.out("\nBy team");
    ctx.out(
      table(
        ["TEAM", "TOTAL", "CURRENCY", "RESERVED INST-H"],
        report.teams.map((t) => [t.team, t.total, t.currency, String(t.reservedInstanceHours)]),
      ),
    );
    ctx.out("\nBy block");
    ctx.out(
      table(
        ["PK", "TEAM", "BLOCK FEE", "EXTENSIONS", "TOTAL", "RESERVED INST-H", "PRICE/INST-H"],
        report.blocks.map((b) => [
          b.pk,
          b.team,
          `${b.blockFee} ${b.currency}`,
          `${b.extensionSpend} ${b.currency}`,
          `${b.total} ${b.currency}`,
          String(b.reservedInstanceHours ?? "-"),
          // Only over what CBM bought and knows the fee of (see the report); none bought, no price.
          b.pricePerInstanceHour ? `${b.pricePerInstanceHour} ${b.currency}` : "—",
        ]),
      ),
    );
    if (report.truncated) ctx.info("warning: more than 2,000 blocks or requests; the report covers the first 2,000 of each");
    return 0;
  },
};

export const usageCommand: Command = {
  name: "usage",
  summary: "Instances running in each managed block now, in the last 24 h, and idle hours",
  usage: "cbm usage [--json]",
  help: "Sampled by CBM about every ten minutes (running = total − available while the block is active).",
  options: {},
  args: [],
  async run(ctx) {
    const report = await usageReport(await ctx.client());
    if (ctx.json) {
      ctx.out(JSON.stringify(report, null, 2));
      return 0;
    }
    ctx.out(
      report.blocks.length
        ? table(
            ["PK", "RUNNING", "STATE", "LAST 24H INST-H", "IDLE H", "SAMPLED"],
            report.blocks.map((b) => [b.pk, `${b.running}/${b.total}`, b.state, String(b.last24h), String(b.idleHours), b.sampledAt]),
          )
        : "No usage sampled yet; CBM samples running blocks about every ten minutes.",
    );
    return 0;
  },
};
