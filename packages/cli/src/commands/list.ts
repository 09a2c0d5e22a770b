import type { Command } from "../command";
import { blocksTable, byUrgency } from "../format";

export const listCommand: Command = {
  name: "list",
  summary: "List managed blocks, most urgent first",
  usage: "cbm list [--json]",
  help: "Columns: PK, name, status, region, end date and time left. Sorted by soonest end; finished blocks last.",
  options: {},
  args: [],
  async run(ctx) {
    const client = await ctx.client();
    const blocks = (await client.list()).sort(byUrgency);
    if (ctx.json) {
      ctx.out(JSON.stringify(blocks, null, 2));
      return 0;
    }
    if (!blocks.length) {
      ctx.out("No managed blocks yet. Add one with `cbm add --reservation cr-…` or `cbm import --regions …`.");
      return 0;
    }
    ctx.out(blocksTable(blocks, ctx.now()));
    return 0;
  },
};
