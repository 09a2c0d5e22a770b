import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Block, Notification } from "@cbm/core";
import type { LocalHandle } from "../../src/local-options";
import { startLocal } from "../../src/start-local";
import { call } from "./local-cbm";

/** Local mode for the browser tests: frozen clock, no tick loop (the tests tick), nothing printed. */
export interface WebWorld {
  local: LocalHandle;
  http<T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
  /** Seeds a reservation in the emulator and registers it with a policy that asks for approval at once. */
  approvalBlock(pk: string, opts?: { endDate?: string; policy?: Record<string, unknown>; team?: string }): Promise<Block>;
  /** The link of the newest approval notice of `pk` (from GET /_local/outbox), ticking first. */
  newestLink(pk: string): Promise<string>;
  purchases(capacityReservationId: string): number;
  block(pk: string): Promise<Block>;
  /** Where screenshots go: docs/screenshots with CBM_UPDATE_SCREENSHOTS=1, else a temporary folder. */
  screenshotDir: string;
  stop(): Promise<void>;
}

const REPO = join(import.meta.dirname, "..", "..", "..", "..");

/** The first 11:30 UTC at least `minHours` after `from`: every Capacity Block ends at 11:30 UTC. */
export function endAfter(from: Date, minHours: number): string {
  const d = new Date(from.getTime() + minHours * 3_600_000);
  const end = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), 11, 30));
  if (end.getTime() < d.getTime()) end.setUTCDate(end.getUTCDate() + 1);
  return end.toISOString();
}

/** The approval link on a line of its own in a notice's body (block or request notices alike). */
export function linkIn(body: string): string | undefined {
  return /^(http\S+\/link\/\S+)$/m.exec(body)?.[1];
}

export async function startWebWorld(clockStart: string): Promise<WebWorld> {
  const root = mkdtempSync(join(tmpdir(), "cbm-web-"));
  const local = await startLocal({
    port: 0,
    clockRate: 0,
    tickSeconds: 0,
    clockStart,
    stateDir: join(root, "state"),
    print: () => undefined,
  });
  const screenshotDir = process.env.CBM_UPDATE_SCREENSHOTS === "1" ? join(REPO, "docs", "screenshots") : join(root, "screenshots");
  mkdirSync(screenshotDir, { recursive: true });

  const http = <T>(method: string, path: string, body?: unknown) => call<T>(local, method, path, { body });

  return {
    local,
    http,
    screenshotDir,
    async approvalBlock(pk, opts = {}) {
      const endDate = opts.endDate ?? endAfter(local.clock.now(), 48);
      const r = local.emulator!.control.seedBlock({ endDate, instanceType: "p5.48xlarge", instanceCount: 2 });
      const created = await http<Block>("POST", "/", {
        PK: pk,
        name: pk,
        capacityReservationId: r.capacityReservationId,
        region: "us-east-1",
        tags: { team: opts.team ?? "research" },
        policy: { extendByDays: 1, lookaheadHours: 72, requireApproval: true, ...opts.policy },
      });
      if (created.status !== 201) throw new Error(`registering ${pk}: ${created.status} ${JSON.stringify(created.body)}`);
      return created.body;
    },
    async newestLink(pk) {
      await local.tick();
      const notices = (await http<Notification[]>("GET", `/_local/outbox?pk=${pk}`)).body.filter((n) => n.kind.startsWith("approval-"));
      const body = notices.at(-1)?.body ?? "";
      const link = linkIn(body);
      if (!link) throw new Error(`no approval link for ${pk} in the outbox: ${JSON.stringify(notices)}`);
      return link;
    },
    purchases: (id) =>
      local.emulator!.control.ledger().filter((e) => e.capacityReservationId === id && e.action === "PurchaseCapacityBlockExtension")
        .length,
    block: async (pk) => (await http<Block>("GET", `/${pk}`)).body,
    async stop() {
      await local.stop();
      rmSync(root, { recursive: true, force: true });
    },
  };
}
