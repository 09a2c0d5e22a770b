import { chmodSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startCbm, stopEverything } from "./support/launcher";
import { tempDir } from "./support/processes";

// What `npm start` refuses before it starts anything: no Java, a Java it cannot use, bad flags.
afterAll(stopEverything);

describe("refusals before anything starts", () => {
  it("without Java: says how to install it, exit 1, no stack trace", async () => {
    const run = startCbm(["--port", "0"], { CBM_LOCAL_DIR: tempDir("cbm-nojava-"), PATH: "/nonexistent" });
    expect(await run.exited).toBe(1);
    const out = run.output();
    expect(out).toContain("DynamoDB Local needs Java 17 or newer");
    expect(out).toContain("apt-get install");
    expect(out).not.toMatch(/^\s+at /m);
  });

  it.skipIf(process.platform === "win32")(
    "with a Java that cannot run the loopback launcher (no jdk.compiler): says why, exit 1",
    async () => {
      const bin = tempDir("cbm-fakejava-");
      writeFileSync(join(bin, "java"), '#!/bin/sh\necho "java.base@17.0.1"\necho "java.logging@17.0.1"\n');
      chmodSync(join(bin, "java"), 0o755);
      const run = startCbm(["--port", "0"], { CBM_LOCAL_DIR: tempDir("cbm-nocompiler-"), PATH: `${bin}:${process.env.PATH}` });
      expect(await run.exited).toBe(1);
      expect(run.output()).toContain("needs Java's jdk.compiler module");
      expect(run.output()).toContain("17.0.1");
    },
  );

  it("--aws needs the owning account (exit 2 before touching AWS)", async () => {
    const run = startCbm(["--aws", "--regions", "us-east-1"], { CBM_LOCAL_DIR: join(tmpdir(), "cbm-unused"), CBM_ACCOUNT_ID: "" });
    expect(await run.exited).toBe(2);
    expect(run.output()).toMatch(/--aws needs --account-id/);
  });

  it("rejects unknown flags with a usage message (exit 2)", async () => {
    const run = startCbm(["--colour", "red"], { CBM_LOCAL_DIR: join(tmpdir(), "cbm-unused") });
    expect(await run.exited).toBe(2);
    expect(run.output()).toMatch(/Unknown option '--colour'/);
    expect(run.output()).toContain("--clock-rate N");
  });
});
