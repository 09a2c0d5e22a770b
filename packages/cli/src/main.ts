import { userInfo } from "node:os";
import { parseArgs } from "node:util";
import { CbmApiError, createCbmClient, type CbmClient } from "./client";
import type { Command, CommandContext, Options, Values } from "./command";
import { addCommand } from "./commands/add";
import { approveCommand, denyCommand } from "./commands/approve";
import { deleteCommand } from "./commands/delete";
import { getCommand } from "./commands/get";
import { historyCommand } from "./commands/history";
import { importCommand } from "./commands/import";
import { listCommand } from "./commands/list";
import { offeringsCommand } from "./commands/offerings";
import { reportCommand, usageCommand } from "./commands/report";
import { REQUEST_COMMANDS } from "./commands/request";
import { outboxCommand } from "./commands/outbox";
import { updateCommand } from "./commands/update";
import { CliError, EXIT, UsageError } from "./errors";
import { println, processIo, withSafeOutput, type Io } from "./io";
import { resolveApi } from "./resolve-api";

export const COMMANDS: Command[] = [
  listCommand,
  getCommand,
  addCommand,
  updateCommand,
  approveCommand,
  denyCommand,
  deleteCommand,
  historyCommand,
  importCommand,
  outboxCommand,
  offeringsCommand,
  ...REQUEST_COMMANDS,
  reportCommand,
  usageCommand,
];

const GLOBAL_OPTIONS: Options = {
  "api-url": { type: "string" },
  "api-key": { type: "string" },
  stage: { type: "string" },
  actor: { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
};

const GLOBAL_HELP = `Global flags:
  --api-url URL     the CBM API (or $CBM_API_URL)
  --api-key KEY     its API key (or $CBM_API_KEY; write --api-key=KEY when the key starts with -)
  --stage NAME      a deployed stage: reads SSM /cbm/NAME/apiUrl and /cbm/NAME/apiSecretName
  --actor NAME      who you are, recorded with approvals and edits (or $CBM_ACTOR; default cli:<user>)
  --json            machine-readable output on stdout
  -h, --help        help
Without flags, the API of local mode (\`npm start\`, .cbm/local/) is used.

Exit codes: 0 ok · 1 API or other error · 2 usage error · 3 not found · 4 conflict (changed meanwhile,
already exists, or a purchase in flight)`;

function usage(): string {
  const w = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    "cbm: manage EC2 Capacity Block extensions through the CBM API",
    "",
    "Usage: cbm <command> [flags]",
    "",
    "Commands:",
    ...COMMANDS.map((c) => `  ${c.name.padEnd(w)}  ${c.summary}`),
    "",
    GLOBAL_HELP,
    "",
    "Run `cbm <command> --help` for a command's flags.",
  ].join("\n");
}

function commandHelp(c: Command): string {
  return [`Usage: ${c.usage}`, "", c.summary + ".", ...(c.help ? ["", c.help] : []), "", GLOBAL_HELP].join("\n");
}

/** Value-taking options, to find the command word among global flags given before it. */
function splitCommand(argv: string[]): { name?: string; rest: string[] } {
  const valued = new Set(
    Object.entries(GLOBAL_OPTIONS)
      .filter(([, o]) => o.type === "string")
      .map(([k]) => `--${k}`),
  );
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--") break;
    if (a.startsWith("-")) {
      if (valued.has(a)) i++;
      continue;
    }
    return { name: a, rest: [...argv.slice(0, i), ...argv.slice(i + 1)] };
  }
  return { rest: argv };
}

/** Two-word commands (`request add`): the second word joins the first when together they name a command. */
function joinSubcommand(split: { name?: string; rest: string[] }): { name?: string; rest: string[] } {
  if (!split.name || COMMANDS.some((c) => c.name === split.name)) return split;
  const next = splitCommand(split.rest);
  const joined = next.name ? `${split.name} ${next.name}` : undefined;
  return joined && COMMANDS.some((c) => c.name === joined) ? { name: joined, rest: next.rest } : split;
}

export function exitCodeFor(e: CbmApiError): number {
  if (e.status === 404 || e.code === "NOT_FOUND") return EXIT.notFound;
  if (e.status === 409 || e.status === 412) return EXIT.conflict;
  return EXIT.error;
}

function describeApiError(e: CbmApiError): string {
  // A validation message repeats its field list; the list alone reads better.
  const message = e.issues.length ? "the API rejected the request" : e.message;
  const head = e.status ? `error: ${message} (HTTP ${e.status}${e.code ? `, ${e.code}` : ""})` : `error: ${message}`;
  const hint = e.status === 403 ? "\n  The API key was refused: check --api-key / $CBM_API_KEY (local mode prints the key at start)." : "";
  return head + e.issues.map((i) => `\n  - ${i.field || "(body)"}: ${i.message}`).join("") + hint;
}

/** Runs one `cbm` command line; returns the exit code (never throws, never calls process.exit). */
export async function main(argv: string[], rawIo: Io = processIo()): Promise<number> {
  const io = withSafeOutput(rawIo);
  const { name, rest } = joinSubcommand(splitCommand(argv));
  if (!name) {
    if (rest.includes("--help") || rest.includes("-h")) {
      println(io.stdout, usage());
      return EXIT.ok;
    }
    println(io.stderr, usage());
    return EXIT.usage;
  }
  if (name === "help") {
    const c = COMMANDS.find((x) => x.name === rest[0]);
    println(io.stdout, c ? commandHelp(c) : usage());
    return EXIT.ok;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    println(io.stderr, `error: unknown command '${name}'\n\n${usage()}`);
    return EXIT.usage;
  }

  let values: Values;
  let positionals: string[];
  try {
    const parsed = parseArgs({
      args: rest,
      options: { ...GLOBAL_OPTIONS, ...command.options },
      allowPositionals: true,
      allowNegative: true,
      strict: true,
    });
    values = parsed.values as Values;
    positionals = parsed.positionals;
  } catch (e) {
    println(io.stderr, `error: ${(e as Error).message}\n\nUsage: ${command.usage}`);
    return EXIT.usage;
  }
  if (values.help) {
    println(io.stdout, commandHelp(command));
    return EXIT.ok;
  }
  if (positionals.length !== command.args.length) {
    const msg =
      positionals.length < command.args.length
        ? `missing ${command.args.slice(positionals.length).join(", ")}`
        : `unexpected argument '${positionals[command.args.length]}'`;
    println(io.stderr, `error: ${msg}\n\nUsage: ${command.usage}`);
    return EXIT.usage;
  }

  const json = Boolean(values.json);
  let client: CbmClient | undefined;
  let serverNow: Date | undefined;
  const actor = (values.actor as string | undefined) ?? io.env.CBM_ACTOR ?? `cli:${safeUser()}`;
  const baseFetch = io.fetch ?? fetch;
  // Local mode with a fast clock answers with its virtual time; "time left" must be measured against it.
  const watchingFetch: typeof fetch = async (input, init) => {
    const res = await baseFetch(input, init);
    const t = res.headers.get("x-cbm-now");
    if (t && !Number.isNaN(Date.parse(t))) serverNow = new Date(t);
    return res;
  };
  const ctx: CommandContext = {
    io,
    values,
    positionals,
    json,
    async client() {
      if (client) return client;
      const target = await resolveApi({
        apiUrl: values["api-url"] as string | undefined,
        apiKey: values["api-key"] as string | undefined,
        stage: values.stage as string | undefined,
        env: io.env,
        cwd: io.cwd,
      });
      // Warnings go to stderr in both modes, so --json output on stdout stays one parseable document.
      const onWarnings = (ws: string[]) => ws.forEach((w) => println(io.stderr, `warning: ${w}`));
      client = createCbmClient({ apiUrl: target.apiUrl, apiKey: target.apiKey, actor, fetch: watchingFetch, onWarnings });
      return client;
    },
    now: () => serverNow ?? new Date(),
    out: (s = "") => println(io.stdout, s),
    info: (s = "") => println(json ? io.stderr : io.stdout, s),
  };

  try {
    return await command.run(ctx);
  } catch (e) {
    if (json) return reportJsonError(e, io);
    if (e instanceof CbmApiError) {
      println(io.stderr, describeApiError(e));
      return exitCodeFor(e);
    }
    if (e instanceof UsageError) {
      println(io.stderr, `error: ${e.message}\n\nUsage: ${command.usage}`);
      return EXIT.usage;
    }
    if (e instanceof CliError) {
      println(io.stderr, `error: ${e.message}`);
      return e.exitCode;
    }
    // Unexpected: still no stack trace unless asked for.
    println(io.stderr, `error: ${(e as Error)?.message ?? String(e)}${io.env.CBM_DEBUG ? `\n${(e as Error)?.stack ?? ""}` : ""}`);
    return EXIT.error;
  }
}

/** With --json, an error is one JSON document on stderr too, `{"error": {status, code, message, issues}}`. */
function reportJsonError(e: unknown, io: Io): number {
  const exit =
    e instanceof CbmApiError ? exitCodeFor(e) : e instanceof UsageError ? EXIT.usage : e instanceof CliError ? e.exitCode : EXIT.error;
  const error =
    e instanceof CbmApiError
      ? { status: e.status, code: e.code, message: e.message, issues: e.issues }
      : { code: e instanceof UsageError ? "USAGE" : "CLI_ERROR", message: (e as Error)?.message ?? String(e) };
  println(io.stderr, JSON.stringify({ error }));
  return exit;
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return "unknown";
  }
}
