import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll } from "vitest";
import type { LocalHandle, StartLocalOptions } from "../../src/local-options";
import { startLocal } from "../../src/start-local";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

export interface Answer<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
  /** Wall milliseconds from sending the request to the whole answer. */
  ms: number;
}

/** Local mode as `npm start -- --no-seed --tick-seconds 0` runs it, quiet, in a folder of its own. */
export async function startQuietLocal(opts: StartLocalOptions = {}): Promise<{ local: LocalHandle; stop(): Promise<void> }> {
  const root = mkdtempSync(join(tmpdir(), "cbm-local-"));
  const local = await startLocal({ port: 0, seed: false, tickSeconds: 0, stateDir: join(root, "state"), print: () => undefined, ...opts });
  return {
    local,
    async stop() {
      await local.stop();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** startQuietLocal() for one test file: started before its tests, stopped after them; `started` receives the handle. */
export function useQuietLocal(started: (local: LocalHandle) => void, opts: StartLocalOptions = {}): void {
  let stop: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    const quiet = await startQuietLocal(opts);
    stop = quiet.stop;
    started(quiet.local);
  });
  afterAll(async () => stop?.());
}

/** One HTTP request to local mode's API, as curl or the CLI sends it. */
export async function call<T = unknown>(
  local: LocalHandle,
  method: string,
  path: string,
  opts: { body?: unknown; headers?: Record<string, string> } = {},
): Promise<Answer<T>> {
  const started = performance.now();
  const res = await fetch(`${local.apiUrl}${path}`, {
    method,
    headers: {
      "x-api-key": local.apiKey,
      ...(opts.body === undefined ? {} : { "content-type": "application/json" }),
      ...opts.headers,
    },
    ...(opts.body === undefined ? {} : { body: JSON.stringify(opts.body) }),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : undefined) as T, ms: performance.now() - started };
}

/** A capacity request for one p5.48xlarge for a day within the next three days, bought without approval. */
export function requestBody(local: LocalHandle, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    instanceType: "p5.48xlarge",
    instanceCount: 1,
    durationDays: 1,
    latestStart: new Date(local.clock.now().getTime() + 3 * 86_400_000).toISOString(),
    maxUpfrontFee: "10000",
    requireApproval: false,
    ...over,
  };
}

/** The PurchaseCapacityBlock entries of the emulator's ledger: every new block EC2 sold. */
export function blockPurchases(local: LocalHandle) {
  return local.emulator!.control.ledger().filter((e) => e.action === "PurchaseCapacityBlock");
}
