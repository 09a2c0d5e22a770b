import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Block, Notification } from "@cbm/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalHandle } from "../src/local-options";
import { startLocal } from "../src/start-local";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

let local: LocalHandle;
let root: string;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "cbm-demo-"));
  // The test plays `--clock-rate 60` itself: one scheduler tick per virtual minute, as one per real second would.
  local = await startLocal({ port: 0, clockRate: 0, tickSeconds: 0, stateDir: join(root, "state"), print: () => undefined });
});

afterAll(async () => {
  await local?.stop();
  rmSync(root, { recursive: true, force: true });
});

async function get<T>(path: string, init: RequestInit = {}): Promise<T> {
  const res = await fetch(`${local.apiUrl}${path}`, { ...init, headers: { "x-api-key": local.apiKey } });
  return (await res.json()) as T;
}

const purchases = (id: string) => local.emulator!.control.ledger().filter((e) => e.capacityReservationId === id).length;

/** What the README's demo table promises for each block, as a check on what CBM and the emulator show. */
const ROWS: Record<string, (b: Block, approvalRequests: number) => boolean> = {
  // Approved once: bought, paid, the end moved, and the next window asks again.
  "llm-pretrain": (b, asked) => purchases("cr-0000000000000d001") === 1 && asked === 2 && b.status === "awaiting-approval",
  "finetune-eval": (b) => b.status === "budget-exhausted" && purchases("cr-0000000000000d002") === 2,
  // Runs nothing: after an idle hour CBM denies its window's extension itself and keeps waiting.
  "trn2-experiments": (b) => b.status === "waiting" && b.denial?.by === "cbm:idle",
  "next-week-run": (b) => b.status === "price-above-cap",
  "partner-shared": (b) => b.status === "not-owned",
  "west-cluster": (b) => b.status === "max-extensions-reached" && purchases("cr-0000000000000d006") === 1,
  // The demo capacity request: nothing offered for two virtual hours, then bought, paid and registered under its name.
  "demo-capacity": (b) => /^cr-[0-9a-f]{17}$/.test(b.capacityReservationId) && b.policy.extendByDays === 1,
};

describe("the demo at --clock-rate 60", () => {
  it("shows every row of the README's table within 5 minutes (300 ticks, one per virtual minute)", async () => {
    const shownAt: Record<string, number> = {};
    let approved = false;
    for (let minute = 0; minute <= 300 && Object.keys(shownAt).length < Object.keys(ROWS).length; minute++) {
      await local.tick();
      const outbox = await get<Notification[]>("/_local/outbox?pk=llm-pretrain");
      const asked = outbox.filter((n) => n.kind === "approval-request").length;
      if (asked === 1 && !approved) {
        // The person watching approves, as the README tells them to.
        await get("/llm-pretrain", { method: "PATCH" });
        approved = true;
      }
      for (const b of await get<Block[]>("/?limit=100")) if (!(b.PK in shownAt) && ROWS[b.PK]?.(b, asked)) shownAt[b.PK] = minute;
      local.emulator!.control.advance({ minutes: 1 });
    }
    console.log(`demo rows shown after (virtual minutes = real seconds at ×60): ${JSON.stringify(shownAt)}`);
    expect(Object.keys(shownAt).sort()).toEqual(Object.keys(ROWS).sort());
    expect(Math.max(...Object.values(shownAt))).toBeLessThanOrEqual(300);
  });

  it("shows running blocks in use, trn2-experiments idle with its idle skip's notice", async () => {
    const busy = await get<{ usage: { running: number; total: number; idleSince: string | null; interconnect: { status: string } } }>(
      "/llm-pretrain",
    );
    const idle = await get<{ usage: { running: number; idleSince: string | null; idleHours: number }; denial: { by: string } }>(
      "/trn2-experiments",
    );
    const notices = await get<Notification[]>("/_local/outbox?pk=trn2-experiments");

    expect(busy.usage).toMatchObject({ running: 2, total: 2, idleSince: null, interconnect: { status: "ok" } });
    expect(idle.usage.running).toBe(0);
    expect(idle.usage.idleHours).toBeGreaterThanOrEqual(1);
    expect(idle.denial.by).toBe("cbm:idle");
    expect(notices.filter((n) => /is idle; its extension is skipped/.test(n.subject))).toHaveLength(1);
  });
});
