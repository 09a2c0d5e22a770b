import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { processGone, removeTempDirs } from "./processes";

/*
 * The process `npm start` starts: scripts/start.mjs, which runs local mode in itself (the install is skipped: the
 * workspace is installed, and reinstalling under running tests could disturb them). A test file starts it with
 * startCbm() and passes stopEverything to afterAll.
 */

const LAUNCHER = join(import.meta.dirname, "..", "..", "scripts", "start.mjs");
const children: ChildProcess[] = [];
/** A DynamoDB Local a test froze on purpose; killed at the end should a failed test leave it behind. */
const frozen: number[] = [];

export interface Run {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** What GET /_local/status answers. */
export interface Status {
  now: string;
  ticks: number;
  dynamodbPid: number;
  ec2Endpoint: string;
}

export function startCbm(args: string[], env: Record<string, string>): Run {
  const child = spawn(process.execPath, [LAUNCHER, ...args], {
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true", CBM_SKIP_INSTALL: "1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let out = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, output: () => out, exited };
}

/** Freezes a DynamoDB Local with SIGSTOP, remembering it so that stopEverything() kills it should it stay behind. */
export function freeze(pid: number): void {
  frozen.push(pid);
  process.kill(pid, "SIGSTOP");
}

/** Stops what this file started, SIGTERM first: a SIGKILLed parent cannot stop its DynamoDB Local, which would outlive the test. */
export async function stopEverything(): Promise<void> {
  await Promise.all(
    children
      .filter((c) => c.exitCode === null && c.signalCode === null)
      .map(
        (c) =>
          new Promise<void>((resolve) => {
            const timer = setTimeout(() => c.kill("SIGKILL"), 15_000);
            c.once("exit", () => (clearTimeout(timer), resolve()));
            c.kill("SIGTERM");
          }),
      ),
  );
  for (const pid of frozen.filter((p) => !processGone(p))) process.kill(pid, "SIGKILL");
  removeTempDirs();
}

/** Resolves once `text` appears in the output (a data event), or fails with the output so far. */
export function printed(run: Run, text: string, ms = 90_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (!run.output().includes(text)) return;
      cleanup();
      resolve();
    };
    const timer = setTimeout(() => (cleanup(), reject(new Error(`timed out waiting for '${text}'; output:\n${run.output()}`))), ms);
    const exit = () => (cleanup(), reject(new Error(`exited before printing '${text}'; output:\n${run.output()}`)));
    const cleanup = () => {
      clearTimeout(timer);
      run.child.stdout!.off("data", check);
      run.child.stderr!.off("data", check);
      run.child.off("exit", exit);
    };
    run.child.stdout!.on("data", check);
    run.child.stderr!.on("data", check);
    run.child.once("exit", exit);
    check();
  });
}

/** Calls the API of the local mode whose state directory is `state`, with the URL and key it wrote there. */
export async function api<T>(state: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const url = readFileSync(join(state, "api-url"), "utf8").trim();
  const key = readFileSync(join(state, "api-key"), "utf8").trim();
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { "x-api-key": key, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as T };
}

/** Calls the EC2 emulator's control API. */
export async function emulator<T>(endpoint: string, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${endpoint}/_emulator${path}`, { method, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return (await res.json()) as T;
}
