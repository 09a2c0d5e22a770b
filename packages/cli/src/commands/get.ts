import type { Command } from "../command";
import { blockDetails } from "../format";

export const getCommand: Command = {
  name: "get",
  summary: "Show one block, its policy and where it stands",
  usage: "cbm get <PK> [--json]",
  options: {},
  args: ["PK"],
  async run(ctx) {
    const block = await (await ctx.client()).get(ctx.positionals[0]!);
    ctx.out(ctx.json ? JSON.stringify(block, null, 2) : blockDetails(block, ctx.now()));
    return 0;
  },
};
