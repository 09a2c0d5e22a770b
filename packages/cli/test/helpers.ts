import { PassThrough } from "node:stream";
import { main } from "../src/main";
import type { Io } from "../src/io";

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON (throws when it is not). */
  json<T = unknown>(): T;
}

export interface RunOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  isTTY?: boolean;
  /** Typed into stdin (e.g. "y\n"). */
  input?: string;
  /** Stands in for the network, to see what would be sent. */
  fetch?: typeof fetch;
}

/** Runs `cbm` in-process with captured output. */
export async function cbm(argv: string[], opts: RunOptions = {}): Promise<RunResult> {
  let stdout = "";
  let stderr = "";
  const stdin = new PassThrough();
  if (opts.input !== undefined) stdin.end(opts.input);
  const io: Io = {
    stdout: { write: (s: string) => ((stdout += s), true) },
    stderr: { write: (s: string) => ((stderr += s), true) },
    stdin,
    env: opts.env ?? {},
    cwd: opts.cwd ?? "/",
    isTTY: opts.isTTY ?? false,
    ...(opts.fetch ? { fetch: opts.fetch } : {}),
  };
  const code = await main(argv, io);
  return { code, stdout, stderr, json: <T>() => JSON.parse(stdout) as T };
}
