import type { Command } from "../command";
import { byUrgency } from "@cbm/core";
import { blocksTable } from "../format";

export const listCommand: Command = {
  name: "list",
  summary: "List managed blocks, most urgent first",
  usage: "cbm list [--json]",
  help: "Columns: PK, name, status, region, end date and time left. Most urgent first, as in the console: by the time to the next thing that cannot be undone (instances terminated, the last chance to buy, an automatic purchase); finished blocks last.",
  options: {},
  args: [],
  async run(ctx) {
    const client = await ctx.client();
    const blocks = (await client.list()).sort(byUrgency(ctx.now()));
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
