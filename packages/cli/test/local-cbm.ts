import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startLocal, type LocalHandle } from "@cbm/local";
import { afterAll, beforeAll } from "vitest";
import { createCbmClient, type CbmClient } from "../src/client";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

/*
 * One local mode per test file (DynamoDB Local, the emulator, the API) for the CLI to talk to. The bindings below are
 * live: a test file calls useLocalCbm() at its top and reads them in its tests.
 */
export let local: LocalHandle;
export let root: string;
export let client: CbmClient;
/** The flags that point cbm at this local mode. */
export let api: string[];

/** An 11:30 UTC end date `days` ahead of the emulator's clock, as every Capacity Block has. */
export function endIn(days: number): string {
  const d = new Date(local.clock.now().getTime() + days * 86_400_000);
  d.setUTCHours(11, 30, 0, 0);
  return d.toISOString();
}

/** A reservation known to EC2 (the emulator) but not managed by CBM. */
export function seedReservation(id: string, opts: { days?: number; region?: string; ownerId?: string } = {}): string {
  local.emulator!.control.seedBlock({
    capacityReservationId: id,
    region: opts.region ?? "us-east-1",
    endDate: endIn(opts.days ?? 20),
    instanceType: "p5.48xlarge",
    tags: { Name: `seeded-${id.slice(-4)}` },
    ...(opts.ownerId ? { ownerId: opts.ownerId } : {}),
  });
  return id;
}

export function useLocalCbm(): void {
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), "cbm-cli-"));
    local = await startLocal({ port: 0, clockRate: 0, tickSeconds: 0, stateDir: join(root, ".cbm", "local"), print: () => undefined });
    api = ["--api-url", local.apiUrl, "--api-key", local.apiKey];
    client = createCbmClient({ apiUrl: local.apiUrl, apiKey: local.apiKey, actor: "test" });
    await local.tick();
  });

  afterAll(async () => {
    await local?.stop();
    rmSync(root, { recursive: true, force: true });
  });
}
