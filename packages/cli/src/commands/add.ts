import { CapacityReservationId, PK } from "@cbm/core";
import type { CreateBlockInput } from "../client";
import type { Command } from "../command";
import { UsageError } from "../errors";
import { blockDetails } from "../format";
import { POLICY_HELP, POLICY_OPTIONS, policyInput } from "../policy-flags";

export const addCommand: Command = {
  name: "add",
  summary: "Start managing a capacity block",
  usage: "cbm add --reservation cr-… [--pk PK] [--name NAME] [--region REGION] [policy flags] [--json]",
  help: `The PK defaults to the reservation id; the region to $AWS_REGION. EC2 is asked for the end date.\n\n${POLICY_HELP}`,
  options: {
    reservation: { type: "string" },
    pk: { type: "string" },
    name: { type: "string" },
    region: { type: "string" },
    ...POLICY_OPTIONS,
  },
  args: [],
  async run(ctx) {
    const v = ctx.values;
    const reservation = v.reservation as string | undefined;
    if (!reservation) throw new UsageError("--reservation cr-… is required");
    if (!CapacityReservationId.safeParse(reservation).success)
      throw new UsageError(`--reservation must look like cr- followed by 17 hex digits, not '${reservation}'`);
    const pk = (v.pk as string | undefined) ?? reservation;
    if (!PK.safeParse(pk).success) throw new UsageError(`--pk must be 1–128 characters of A-Z a-z 0-9 . _ : -, not '${pk}'`);
    const region = (v.region as string | undefined) ?? ctx.io.env.AWS_REGION ?? ctx.io.env.AWS_DEFAULT_REGION;
    const policy = policyInput(v);
    const input: CreateBlockInput = {
      PK: pk,
      capacityReservationId: reservation,
      ...(v.name ? { name: v.name as string } : {}),
      ...(region ? { region } : {}),
      ...(policy ? { policy } : {}),
    };
    const block = await (await ctx.client()).create(input);
    if (ctx.json) ctx.out(JSON.stringify(block, null, 2));
    else ctx.out(`Added ${block.PK}.\n\n${blockDetails(block, ctx.now())}`);
    return 0;
  },
};
