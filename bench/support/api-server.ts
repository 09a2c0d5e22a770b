import { startLocal } from "@cbm/local";
import { tempDir } from "./world";

/*
 * The local mode's API in its own process (so the load generator does not share its event loop): DynamoDB Local,
 * the same Middy handler behind the API Gateway adapter, no scheduler loop and no demo blocks. Prints one JSON line
 * with the URL and key, and stops on SIGTERM/SIGINT.
 */
const handle = await startLocal({
  port: 0,
  tickSeconds: 0,
  clockRate: 0,
  seed: false,
  stateDir: tempDir("cbm-bench-api-"),
  print: () => undefined,
});
process.stdout.write(
  JSON.stringify({ apiUrl: handle.apiUrl, apiKey: handle.apiKey, pid: process.pid, dynamoPid: handle.dynamo?.pid }) + "\n",
);
const stop = () => {
  handle.stop().finally(() => process.exit(0));
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
