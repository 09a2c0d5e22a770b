import type { Command } from "../command";
import { UsageError } from "../errors";
import { shortDate } from "../format";
import { readLine } from "../io";

export const deleteCommand: Command = {
  name: "delete",
  summary: "Stop managing a block (the capacity block itself is not touched)",
  usage: "cbm delete <PK> [--yes] [--json]",
  help: "Asks first on a terminal; scripts must pass --yes. Refused (exit 4) while a purchase is in flight.",
  options: { yes: { type: "boolean", short: "y" } },
  args: ["PK"],
  async run(ctx) {
    const pk = ctx.positionals[0]!;
    const client = await ctx.client();
    const block = await client.get(pk);
    if (!ctx.values.yes) {
      if (!ctx.io.isTTY) throw new UsageError(`Refusing to delete ${pk} without a terminal to ask: pass --yes`);
      ctx.io.stderr.write(
        `Stop managing ${pk} (${block.capacityReservationId}, ${block.status}, ends ${shortDate(block.endDate)})? [y/N] `,
      );
      const answer = await readLine(ctx.io.stdin);
      if (!/^y(es)?$/i.test(answer)) {
        ctx.info("Not deleted.");
        return 0;
      }
    }
    await client.delete(pk, { version: block.version });
    if (ctx.json) ctx.out(JSON.stringify({ deleted: pk }));
    else ctx.out(`Deleted ${pk}. CBM no longer manages ${block.capacityReservationId}.`);
    return 0;
  },
};
