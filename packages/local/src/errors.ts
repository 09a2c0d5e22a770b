/** Base of the errors local mode raises on purpose; `npm start` prints their message (no stack) and exits 1. */
export class LocalError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

const INSTALL_JAVA =
  "  Debian/Ubuntu: sudo apt-get install -y openjdk-17-jre-headless\n" +
  "  macOS:         brew install openjdk@17\n" +
  "Or run against real AWS with `npm start -- --aws`.";

export class JavaMissingError extends LocalError {
  constructor(cause?: unknown) {
    super("JAVA_MISSING", "DynamoDB Local needs Java 17 or newer, and `java` was not found on PATH.\n" + INSTALL_JAVA, { cause });
  }
}

/**
 * DynamoDB Local is started through a small Java source file that keeps it on 127.0.0.1 (the jar itself listens on
 * every interface); running a source file needs the `jdk.compiler` module, which trimmed runtimes leave out.
 */
export class JavaCompilerMissingError extends LocalError {
  constructor(javaVersion: string) {
    super(
      "JAVA_COMPILER_MISSING",
      `DynamoDB Local is started through a launcher that keeps it on 127.0.0.1, which needs Java's jdk.compiler module,\n` +
        `and this Java (${javaVersion || "unknown version"}) does not have it: install a full JDK or Debian's JRE.\n` +
        INSTALL_JAVA,
    );
  }
}

export class DynamoLocalStartError extends LocalError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("DYNAMODB_LOCAL_FAILED", message, options);
  }
}

/** Another local mode uses the same --data-dir: two of them would corrupt each other's DynamoDB and emulator files. */
export class DataDirLockedError extends LocalError {
  constructor(
    readonly dataDir: string,
    readonly holderPid: number,
    startedAt: string | undefined,
  ) {
    super(
      "DATA_DIR_LOCKED",
      `--data-dir ${dataDir} is in use by another CBM local mode, PID ${holderPid}${startedAt ? ` (started ${startedAt})` : ""}.\n` +
        `Stop that one first (kill ${holderPid}), or pass another --data-dir.`,
    );
  }
}

/** The API's port is taken: found before DynamoDB Local or the emulator starts, so nothing is left to stop. */
export class PortInUseError extends LocalError {
  constructor(readonly port: number) {
    super(
      "PORT_IN_USE",
      `port ${port} on 127.0.0.1 is already in use: is CBM already running? Pass --port to use another. Nothing was started.`,
    );
  }
}
