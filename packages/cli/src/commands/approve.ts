import type { Command } from "../command";
import { blockDetails } from "../format";

export const approveCommand: Command = {
  name: "approve",
  summary: "Approve the block's current (or next) extension window",
  usage: "cbm approve <PK> [--comment TEXT] [--json]",
  help: "Recorded with who approved (--actor, $CBM_ACTOR or cli:<your user name>).",
  options: { comment: { type: "string" } },
  args: ["PK"],
  async run(ctx) {
    const block = await (await ctx.client()).approve(ctx.positionals[0]!, ctx.values.comment as string | undefined);
    if (ctx.json) ctx.out(JSON.stringify(block, null, 2));
    else ctx.out(`Approved ${block.PK}.\n\n${blockDetails(block, ctx.now())}`);
    return 0;
  },
};

export const denyCommand: Command = {
  name: "deny",
  summary: "Deny the pending extension: CBM will not extend in this window",
  usage: "cbm deny <PK> [--comment TEXT] [--json]",
  options: { comment: { type: "string" } },
  args: ["PK"],
  async run(ctx) {
    const block = await (await ctx.client()).deny(ctx.positionals[0]!, ctx.values.comment as string | undefined);
    if (ctx.json) ctx.out(JSON.stringify(block, null, 2));
    else ctx.out(`Denied the pending extension of ${block.PK}.\n\n${blockDetails(block, ctx.now())}`);
    return 0;
  },
};
