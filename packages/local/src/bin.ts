import { parseArgs } from "node:util";
import { banner } from "./banner";
import { LocalError } from "./errors";
import { launchers, watchLaunchers } from "./launcher-watch";
import type { LocalHandle, StartLocalOptions } from "./local-options";
import { startLocal } from "./start-local";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

const HELP = `npm start [-- flags]: the whole Capacity Block Manager on this machine

  --port N            API port on 127.0.0.1 (default 3000)
  --tick-seconds N    scheduler interval in (emulator) seconds (default 60)
  --clock-rate N      run the emulator's clock N× faster; the scheduler keeps pace (every 60/N s, at least 1 s)
                      e.g. --clock-rate 60: a virtual hour per real minute, a whole extension cycle in minutes
  --data-dir DIR      keep everything in DIR instead of memory: CBM's records (DynamoDB Local) and the emulator's
                      world (blocks, extensions, purchases, clock); a restart continues it. One CBM per DIR.
  --no-seed           no demo blocks (the emulator starts empty)
  --no-register       seed the emulator but do not register its blocks in CBM (try \`cbm import\`)
  --aws               use real AWS (default credential chain) instead of DynamoDB Local and the emulator:
    --regions a,b       regions CBM works in; the first holds the table (default $AWS_REGION)
    --table NAME        DynamoDB table, created if missing (default cbm-local)
    --topic-arn ARN     SNS topic for approval requests (they are also printed and kept in the outbox)
    --account-id ID     the account that owns the blocks (default $CBM_ACCOUNT_ID)
  --verbose           print every log line (API access lines, scheduler decisions), not only warnings
  -h, --help          this help

The API key is generated on first start and kept in .cbm/local/api-key (mode 0600).`;

function fail(message: string, code = 2): never {
  process.stderr.write(`error: ${message}\n`);
  process.exit(code);
}

function num(v: string | undefined, flag: string, def: number, min: number): number {
  if (v === undefined) return def;
  const n = Number(v);
  if (!Number.isFinite(n) || n < min) fail(`--${flag} must be a number ≥ ${min}, not '${v}'`);
  return n;
}

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      args: process.argv.slice(2).filter((a) => a !== "--"),
      options: {
        port: { type: "string" },
        "tick-seconds": { type: "string" },
        "clock-rate": { type: "string" },
        "data-dir": { type: "string" },
        seed: { type: "boolean", default: true },
        register: { type: "boolean", default: true },
        aws: { type: "boolean" },
        regions: { type: "string" },
        table: { type: "string" },
        "topic-arn": { type: "string" },
        "account-id": { type: "string" },
        verbose: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
      allowNegative: true,
      strict: true,
    }));
  } catch (e) {
    fail(`${(e as Error).message}\n\n${HELP}`);
  }
  if (values.help) {
    process.stdout.write(HELP + "\n");
    return;
  }
  const port = num(values.port, "port", 3000, 0);
  const tickSeconds = num(values["tick-seconds"], "tick-seconds", 60, 0);
  const clockRate = num(values["clock-rate"], "clock-rate", 1, 0);
  const opts: StartLocalOptions = {
    port,
    tickSeconds,
    clockRate,
    seed: values.seed,
    register: values.register,
    startScheduler: false,
    logLevel: values.verbose ? "info" : "warn",
  };
  if (values["data-dir"]) opts.dataDir = values["data-dir"];
  let awsInfo: { regions: string[]; table: string; topicArn?: string } | undefined;
  if (values.aws) {
    const regions = (values.regions ?? process.env.AWS_REGION ?? "")
      .split(",")
      .map((r) => r.trim())
      .filter(Boolean);
    if (!regions.length) fail("--aws needs --regions (or AWS_REGION)");
    const accountId = values["account-id"] ?? process.env.CBM_ACCOUNT_ID;
    if (!accountId || !/^\d{12}$/.test(accountId))
      fail("--aws needs --account-id (12 digits) or CBM_ACCOUNT_ID: only the owning account can extend a block");
    awsInfo = { regions, table: values.table ?? "cbm-local", ...(values["topic-arn"] ? { topicArn: values["topic-arn"] } : {}) };
    opts.aws = { ...awsInfo, accountId };
  } else if (values.regions || values.table || values["topic-arn"] || values["account-id"]) {
    fail("--regions, --table, --topic-arn and --account-id only apply with --aws");
  }

  let handle: LocalHandle | undefined;
  let stopping = 0;
  const shutdown = async (signal: string) => {
    if (stopping) {
      // tsx and the terminal may both deliver one Ctrl-C; only a later one deserves an answer.
      if (Date.now() - stopping > 1000) process.stderr.write("Still stopping (finishing the running tick, stopping DynamoDB Local)…\n");
      return;
    }
    stopping = Date.now();
    process.stderr.write(`\n${signal}: stopping (the running tick, the API, the emulator, DynamoDB Local)…\n`);
    if (!handle) return; // startup is still running; it stops as soon as it is done
    await handle.stop();
    process.stderr.write("Stopped.\n");
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  // A closed terminal or a supervisor's reload: without a handler node would die at once and skip the clean stop.
  process.on("SIGHUP", () => void shutdown("SIGHUP"));
  // A signal to npm's PID never reaches this process (see launchers()): the end of npm or its shell stops it instead.
  watchLaunchers(launchers(), (gone) => void shutdown(`PID ${gone.pid} (which started CBM) ended`));

  process.stdout.write(values.aws ? "Starting CBM against real AWS…\n" : "Starting DynamoDB Local and the EC2 emulator…\n");
  opts.progress = (line) => process.stdout.write(`${line}\n`);
  try {
    handle = await startLocal(opts);
  } catch (e) {
    if (e instanceof LocalError) fail(e.message, 1);
    const code = (e as { code?: string }).code;
    if (code === "EADDRINUSE") fail(`port ${port} is already in use: is CBM already running? Pass --port to use another.`, 1);
    fail(`${(e as Error).message}${process.env.CBM_DEBUG ? `\n${(e as Error).stack}` : ""}`, 1);
  }
  if (stopping) {
    await handle.stop();
    process.exit(0);
  }
  process.stdout.write(
    banner({
      handle,
      clockRate,
      tickSeconds,
      pid: process.pid,
      seeded: values.seed !== false,
      aws: awsInfo,
      ...(opts.dataDir ? { dataDir: opts.dataDir } : {}),
    }) + "\n",
  );
  handle.startScheduler();
}

await main();
