import type { UpdateBlockInput } from "../client";
import type { Command } from "../command";
import { UsageError } from "../errors";
import { blockDetails } from "../format";
import { POLICY_HELP, POLICY_OPTIONS, policyFromFlags } from "../policy-flags";
import type { PolicyPatch } from "../client";

export const updateCommand: Command = {
  name: "update",
  summary: "Change a block's name, region or policy",
  usage: "cbm update <PK> [--name NAME] [--region REGION] [policy flags] [--json]",
  help:
    "Reads the block, applies the changes and writes it back only if nobody changed it in between\n" +
    `(exit 4 otherwise: re-run to apply your change on top of theirs).\n\n${POLICY_HELP}`,
  options: { name: { type: "string" }, region: { type: "string" }, ...POLICY_OPTIONS },
  args: ["PK"],
  async run(ctx) {
    const pk = ctx.positionals[0]!;
    const changes = policyFromFlags(ctx.values, { allowClear: true });
    const patch: UpdateBlockInput = {};
    if (typeof ctx.values.name === "string") patch.name = ctx.values.name;
    if (typeof ctx.values.region === "string") patch.region = ctx.values.region;
    if (!Object.keys(changes).length && !Object.keys(patch).length) throw new UsageError("Nothing to update: give at least one flag");
    const client = await ctx.client();
    const current = await client.get(pk);
    // Only the changed fields (null clears one): the API merges them into the stored policy.
    if (Object.keys(changes).length) patch.policy = changes as PolicyPatch;
    const block = await client.update(pk, patch, { version: current.version });
    if (ctx.json) ctx.out(JSON.stringify(block, null, 2));
    else ctx.out(`Updated ${block.PK}.\n\n${blockDetails(block, ctx.now())}`);
    return 0;
  },
};
