import { type Block, type BlockUsage, recordUsage, usageView } from "@cbm/core";
import { describe, expect, it } from "vitest";
import { buildUsageReport } from "../src/reports/spend";

const NOW = new Date("2026-11-02T06:00:00.000Z");

/** Thirty hours of samples, two instances running, the last two hours idle. */
function thirtyHours(): BlockUsage {
  let u: BlockUsage | undefined;
  const start = Date.parse("2026-11-01T00:30:00Z");
  for (let h = 0; h < 30; h++) {
    const sample = { capacityReservationId: "cr-0123456789abcdef0", state: "active", total: 4, available: h < 28 ? 2 : 4 };
    u = recordUsage(u, "pk-1", sample, new Date(start + h * 3_600_000).toISOString());
  }
  return u!;
}

describe("GET /reports/usage", () => {
  it("shows each block's last 24 h exactly as its own GET /{PK} does, never hours older than a day", async () => {
    const usage = thirtyHours();
    const report = await buildUsageReport({
      store: { list: async () => ({ items: [{ PK: "pk-1" } as Block] }) },
      usage: { get: async (pk) => (pk === "pk-1" ? usage : undefined) },
      now: () => NOW,
    });

    const view = usageView(usage, NOW.toISOString());
    const [row] = report.blocks;
    expect(row!.hours.map((h) => h.hour)).toEqual(view.last24h.map((h) => h.hour));
    expect(row!.hours[0]!.hour).toBe("2026-11-01T06");
    expect(row!.last24h).toBe(view.last24hInstanceHours);
    expect(row!.idleHours).toBe(view.idleHours);
  });
});
