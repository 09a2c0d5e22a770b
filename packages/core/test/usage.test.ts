import { describe, expect, it } from "vitest";
import {
  BlockUsage,
  BlockUsageView,
  MAX_INTERCONNECT_CHANGES,
  MAX_USAGE_HOURS,
  idleHours,
  recordInterconnect,
  recordUsage,
  usageView,
} from "../src/index";

const sample = (running: number, state = "active") => ({
  capacityReservationId: "cr-00000000000000001",
  state,
  total: 4,
  available: 4 - running,
});

describe("recordUsage", () => {
  it("keeps at most two weeks of hourly aggregates", () => {
    let u: BlockUsage | undefined;
    const start = Date.parse("2026-11-01T00:00:00Z");
    for (let h = 0; h < MAX_USAGE_HOURS + 5; h++) u = recordUsage(u, "pk", sample(1), new Date(start + h * 3_600_000).toISOString());

    expect(u!.hours).toHaveLength(MAX_USAGE_HOURS);
    expect(u!.hours[0]!.hour).toBe("2026-11-01T05");
  });

  it("counts idleness only while the block is active and nothing runs", () => {
    const notStarted = recordUsage(undefined, "pk", { ...sample(0, "scheduled"), available: 0 }, "2026-11-01T00:00:00.000Z");
    const idle = recordUsage(notStarted, "pk", sample(0), "2026-11-01T01:00:00.000Z");
    const stillIdle = recordUsage(idle, "pk", sample(0), "2026-11-01T04:30:00.000Z");
    const busy = recordUsage(stillIdle, "pk", sample(3), "2026-11-01T05:00:00.000Z");

    expect([notStarted.idleSince, idle.idleSince, stillIdle.idleSince, busy.idleSince]).toEqual([
      null,
      "2026-11-01T01:00:00.000Z",
      "2026-11-01T01:00:00.000Z",
      null,
    ]);
    expect(idleHours(stillIdle, "2026-11-01T04:30:00.000Z")).toBe(3);
    expect(notStarted.current.running).toBe(0);
  });
});

describe("recordInterconnect", () => {
  const base = () => recordUsage(undefined, "pk", sample(1), "2026-11-01T00:00:00.000Z");

  it("moves the reading on while the status stays", () => {
    const first = recordInterconnect(base(), "ok", "2026-11-01T00:00:00.000Z");
    const again = recordInterconnect(first, "ok", "2026-11-01T00:10:00.000Z");

    expect(again.interconnect).toEqual({ status: "ok", at: "2026-11-01T00:10:00.000Z", since: "2026-11-01T00:00:00.000Z" });
  });

  it("records no change while the status stays", () => {
    const first = recordInterconnect(base(), "ok", "2026-11-01T00:00:00.000Z");
    const again = recordInterconnect(first, "ok", "2026-11-01T00:10:00.000Z");

    expect(again.interconnectChanges).toEqual([{ status: "ok", at: "2026-11-01T00:00:00.000Z" }]);
  });

  it("keeps each change of status, at most MAX_INTERCONNECT_CHANGES", () => {
    let u = base();
    const start = Date.parse("2026-11-01T00:00:00Z");
    for (let i = 0; i < MAX_INTERCONNECT_CHANGES + 3; i++)
      u = recordInterconnect(u, i % 2 ? "impaired" : "ok", new Date(start + i * 600_000).toISOString());

    expect(u.interconnectChanges).toHaveLength(MAX_INTERCONNECT_CHANGES);
    expect(u.interconnect).toMatchObject({ status: "ok", since: u.interconnect!.at });
    expect(BlockUsage.safeParse(u).success).toBe(true);
  });

  it("survives the next usage sample", () => {
    const withStatus = recordInterconnect(base(), "impaired", "2026-11-01T00:00:00.000Z");

    const next = recordUsage(withStatus, "pk", sample(2), "2026-11-01T00:10:00.000Z");

    expect(next.interconnect?.status).toBe("impaired");
    expect(next.interconnectChanges).toHaveLength(1);
  });
});

describe("usageView", () => {
  it("shows current use, idleness and only the hourly aggregates of the last 24 h", () => {
    let u: BlockUsage | undefined;
    const start = Date.parse("2026-11-01T00:30:00Z");
    for (let h = 0; h < 30; h++) u = recordUsage(u, "pk", sample(h < 28 ? 2 : 0), new Date(start + h * 3_600_000).toISOString());

    const view = usageView(u!, "2026-11-02T06:00:00.000Z");

    expect(view).toMatchObject({ running: 0, total: 4, state: "active", idleSince: "2026-11-02T04:30:00.000Z", idleHours: 1 });
    expect(view.interconnect).toBeNull();
    expect(view.last24h).toHaveLength(24);
    expect(view.last24h[0]!.hour).toBe("2026-11-01T06");
    expect(view.last24h.at(-1)).toEqual({ hour: "2026-11-02T05", meanRunning: 0, maxRunning: 0, total: 4 });
    expect(view.last24hInstanceHours).toBe(44);
    expect(BlockUsageView.safeParse(view).success).toBe(true);
  });
});
