import type { Command, CommandContext } from "../command";
import type { VerdictOptions } from "../client";
import { UsageError } from "../errors";
import { blockDetails } from "../format";

const WINDOW_HELP =
  "Without --next or --window, only the window a notice asked about is decided; when nothing is asked the API " +
  "answers what is pending and when CBM asks next. --next (or --window END) decides the coming window in advance.";

/** --next and --window name the window explicitly; a repeated command without them can never reach past a purchase. */
function verdictOptions(ctx: CommandContext): VerdictOptions {
  const next = ctx.values.next === true;
  const window = ctx.values.window as string | undefined;
  if (next && window !== undefined) throw new UsageError("--next and --window are alternatives: give one of them");
  const comment = ctx.values.comment as string | undefined;
  return { ...(comment !== undefined ? { comment } : {}), ...(next ? { window: "next" } : window !== undefined ? { window } : {}) };
}

const verdictFlags = { comment: { type: "string" }, next: { type: "boolean" }, window: { type: "string" } } as const;

export const approveCommand: Command = {
  name: "approve",
  summary: "Approve the extension window CBM asked about (or, with --next, the coming one in advance)",
  usage: "cbm approve <PK> [--next | --window END] [--comment TEXT] [--json]",
  help: `${WINDOW_HELP} Recorded with who approved (--actor, $CBM_ACTOR or cli:<your user name>).`,
  options: verdictFlags,
  args: ["PK"],
  async run(ctx) {
    const { block, note } = await (await ctx.client()).approve(ctx.positionals[0]!, verdictOptions(ctx));
    if (ctx.json) ctx.out(JSON.stringify({ ...block, ...(note ? { verdictNote: note } : {}) }, null, 2));
    else ctx.out(`${note ?? `Approved ${block.PK}.`}\n\n${blockDetails(block, ctx.now())}`);
    return 0;
  },
};

export const denyCommand: Command = {
  name: "deny",
  summary: "Deny the extension window CBM asked about (or, with --next, the coming one in advance)",
  usage: "cbm deny <PK> [--next | --window END] [--comment TEXT] [--json]",
  help: WINDOW_HELP,
  options: verdictFlags,
  args: ["PK"],
  async run(ctx) {
    const { block, note } = await (await ctx.client()).deny(ctx.positionals[0]!, verdictOptions(ctx));
    if (ctx.json) ctx.out(JSON.stringify({ ...block, ...(note ? { verdictNote: note } : {}) }, null, 2));
    else ctx.out(`${note ?? `Denied ${block.PK}.`}\n\n${blockDetails(block, ctx.now())}`);
    return 0;
  },
};
