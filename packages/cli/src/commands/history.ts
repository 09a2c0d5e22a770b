import type { Command } from "../command";
import { UsageError } from "../errors";
import { historyTable } from "../format";

export const historyCommand: Command = {
  name: "history",
  summary: "What happened to a block, newest first",
  usage: "cbm history <PK> [--limit N] [--json]",
  options: { limit: { type: "string" } },
  args: ["PK"],
  async run(ctx) {
    const raw = (ctx.values.limit as string | undefined) ?? "20";
    if (!/^\d+$/.test(raw) || Number(raw) < 1) throw new UsageError(`--limit must be a whole number ≥ 1, not '${raw}'`);
    const events = await (await ctx.client()).history(ctx.positionals[0]!, { limit: Number(raw) });
    if (ctx.json) ctx.out(JSON.stringify(events, null, 2));
    else ctx.out(events.length ? historyTable(events) : "No history yet.");
    return 0;
  },
};
