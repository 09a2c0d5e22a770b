import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type AddressInfo, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/*
 * Issue 22, finding 9: a port clash was reported only after DynamoDB Local and the emulator had started. `npm start`
 * (scripts/start.mjs, as in process.test.ts) must say so before starting either.
 */

const LAUNCHER = join(import.meta.dirname, "..", "scripts", "start.mjs");
const state = mkdtempSync(join(tmpdir(), "cbm-port-"));
let taken: Server;
let port: number;

beforeAll(async () => {
  taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
  port = (taken.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise((resolve) => taken.close(resolve));
  rmSync(state, { recursive: true, force: true });
});

describe("npm start on a port in use", () => {
  it("says the port is taken, exiting 1 before DynamoDB Local or the emulator starts", async () => {
    const child = spawn(process.execPath, [LAUNCHER, "--port", String(port)], {
      env: { ...process.env, CBM_SKIP_INSTALL: "1", CBM_LOCAL_DIR: state, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));

    const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));

    expect(code).toBe(1);
    expect(out).toContain(`port ${port} on 127.0.0.1 is already in use`);
    expect(out).toContain("Nothing was started.");
    expect(out).not.toMatch(/Starting DynamoDB Local \(Java\)|EC2 emulator ready/);
  });
});
