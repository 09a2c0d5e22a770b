import type { Command } from "../command";
import { CbmApiError } from "../client";
import { CliError, EXIT } from "../errors";
import { table } from "../format";

export const outboxCommand: Command = {
  name: "outbox",
  summary: "Notifications sent so far (local mode; deployed stages send them through SNS)",
  usage: "cbm outbox [--pk PK] [--full] [--json]",
  help: "  --pk PK   only this block's notifications\n  --full    print each notification's whole text",
  options: { pk: { type: "string" }, full: { type: "boolean" } },
  args: [],
  async run(ctx) {
    const client = await ctx.client();
    let items;
    try {
      items = await client.outbox(ctx.values.pk as string | undefined);
    } catch (e) {
      if (
        e instanceof CbmApiError &&
        (e.status === 404 || e.status === 403) &&
        !/^https?:\/\/(127\.0\.0\.1|localhost)[:/]/.test(client.apiUrl)
      ) {
        throw new CliError("The outbox is served by local mode only; a deployed stage sends notifications through SNS", EXIT.notFound);
      }
      throw e;
    }
    if (ctx.json) {
      ctx.out(JSON.stringify(items, null, 2));
      return 0;
    }
    if (!items.length) {
      ctx.out("No notifications yet.");
      return 0;
    }
    if (ctx.values.full) {
      ctx.out(items.map((n) => `=== ${n.at} [${n.kind}] ${n.subject}\n${n.body}`).join("\n\n"));
      return 0;
    }
    ctx.out(
      table(
        ["WHEN (UTC)", "KIND", "PK", "SUBJECT"],
        items.map((n) => [n.at.slice(0, 16).replace("T", " "), n.kind, n.pk, n.subject]),
      ),
    );
    return 0;
  },
};
