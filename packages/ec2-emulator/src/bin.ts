#!/usr/bin/env -S npx tsx
import { parseArgs } from "node:util";
import { startEmulator, type EmulatorOptions } from "./index";

const USAGE = `Usage: ec2-cb-emulator [--port 4567] [--host 127.0.0.1] [--seed demo|none] [--clock real|<ISO>] [--rate N]
                       [--payment-delay SECONDS] [--account 123456789012] [--state-file PATH]`;

function fail(message: string): never {
  console.error(`${message}\n${USAGE}`);
  process.exit(2);
}

function parseFlags() {
  try {
    return parseArgs({
      // pnpm 10 forwards a literal "--" from `pnpm start -- --port 1`; it is not an argument.
      args: process.argv.slice(2).filter((arg) => arg !== "--"),
      options: {
        port: { type: "string", default: "4567" },
        host: { type: "string", default: "127.0.0.1" },
        seed: { type: "string", default: "none" },
        clock: { type: "string", default: "real" },
        rate: { type: "string" },
        "payment-delay": { type: "string" },
        account: { type: "string" },
        "state-file": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    }).values;
  } catch (err) {
    return fail(err instanceof Error ? err.message : String(err));
  }
}

const values = parseFlags();
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`Bad --port '${String(values.port)}'`);
if (values.seed !== "demo" && values.seed !== "none") fail(`Bad --seed '${String(values.seed)}'`);
const rate = values.rate === undefined ? undefined : Number(values.rate);
if (rate !== undefined && !(rate >= 0)) fail(`Bad --rate '${String(values.rate)}'`);
const clockArg = String(values.clock);
if (clockArg !== "real" && Number.isNaN(Date.parse(clockArg))) fail(`Bad --clock '${clockArg}'`);

// "--clock real --rate 60" means: start at the current time, then run 60× faster.
const clock: EmulatorOptions["clock"] =
  clockArg === "real" ? (rate === undefined ? "real" : { start: new Date().toISOString(), rate }) : { start: clockArg, rate: rate ?? 0 };

const handle = await startEmulator({
  port,
  host: String(values.host),
  seed: values.seed,
  clock,
  paymentDelaySeconds: values["payment-delay"] === undefined ? undefined : Number(values["payment-delay"]),
  defaultAccountId: values.account === undefined ? undefined : String(values.account),
  ...(values["state-file"] === undefined ? {} : { stateFile: String(values["state-file"]) }),
});
console.log(handle.url);
console.error(
  `EC2 capacity-block emulator listening on ${handle.url} (clock ${JSON.stringify(handle.control.clock())}); control API at ${handle.url}/_emulator/` +
    (values["state-file"] === undefined ? "" : `; world ${handle.restored ? "restored from" : "saved to"} ${String(values["state-file"])}`),
);

const stop = () => {
  handle.stop().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
