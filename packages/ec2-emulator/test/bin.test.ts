import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const BIN = fileURLToPath(new URL("../src/bin.ts", import.meta.url));

describe("ec2-cb-emulator command", () => {
  it("runs the demo seed on a fast virtual clock from its printed URL until SIGTERM", async () => {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", BIN, "--port", "0", "--seed", "demo", "--clock", "2026-11-24T08:00:00Z", "--rate", "60"],
      {
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    try {
      const [chunk] = (await once(child.stdout, "data")) as [Buffer];
      const url = chunk.toString().trim();
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const clock = (await (await fetch(`${url}/_emulator/clock`)).json()) as { mode: string; rate: number; now: string };
      expect(clock).toMatchObject({ mode: "virtual", rate: 60 });
      expect(clock.now >= "2026-11-24T08:00:00.000Z").toBe(true);
      const reservations = (await (await fetch(`${url}/_emulator/reservations`)).json()) as unknown[];
      expect(reservations).toHaveLength(6);
    } finally {
      child.kill("SIGTERM");
    }
    const [code] = (await once(child, "exit")) as [number | null];
    expect(code).toBe(0);
  }, 30_000);

  it("with --state-file, a second start continues the first one's world", async () => {
    const dir = mkdtempSync(join(tmpdir(), "emulator-bin-"));
    const file = join(dir, "world.json");
    const run = async (args: string[], act: (url: string) => Promise<void>) => {
      const child = spawn(process.execPath, ["--import", "tsx", BIN, "--port", "0", "--state-file", file, ...args], {
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stderr = "";
      child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
      try {
        const [chunk] = (await once(child.stdout, "data")) as [Buffer];
        await act(chunk.toString().trim());
      } finally {
        child.kill("SIGTERM");
      }
      await once(child, "exit");
      return stderr;
    };
    try {
      await run(["--seed", "demo", "--clock", "2026-11-24T08:00:00Z"], async (url) => {
        await fetch(`${url}/_emulator/clock/advance`, { method: "POST", body: JSON.stringify({ hours: 5 }) });
      });
      const stderr = await run(["--seed", "none"], async (url) => {
        expect(((await (await fetch(`${url}/_emulator/reservations`)).json()) as unknown[]).length).toBe(6);
        expect(((await (await fetch(`${url}/_emulator/clock`)).json()) as { now: string }).now).toBe("2026-11-24T13:00:00.000Z");
      });
      expect(stderr).toContain(`world restored from ${file}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);

  it("refuses bad flags with exit code 2", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", BIN, "--seed", "everything"], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    const [code] = (await once(child, "exit")) as [number | null];
    expect(code).toBe(2);
    expect(stderr).toContain("Bad --seed");
  }, 30_000);
});
